from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "liuzhuan.supervision"
    label = "supervision"
    verbose_name = "监管"

    def ready(self):
        from liuzhuan.core import context
        from liuzhuan.core.roles import OVERSIGHT_ROLES

        entry = ("监管驾驶舱", "supervision:home", OVERSIGHT_ROLES)
        if all(existing[1] != entry[1] for existing in context.EXTRA_NAV):
            context.EXTRA_NAV.insert(0, entry)

        from .alerts import header_badge

        if header_badge not in context.HEADER_BADGES:
            context.HEADER_BADGES.append(header_badge)
