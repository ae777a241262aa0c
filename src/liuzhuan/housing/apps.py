from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "liuzhuan.housing"
    label = "housing"
    verbose_name = "存量房盘活"

    def ready(self):
        from liuzhuan.core import context
        from liuzhuan.core.roles import OVERSIGHT_ROLES, Role

        entry = ("存量房盘活", "housing:pool", frozenset({Role.MEMBER, Role.HOUSING, *OVERSIGHT_ROLES}))
        if all(existing[1] != entry[1] for existing in context.EXTRA_NAV):
            context.EXTRA_NAV.append(entry)
