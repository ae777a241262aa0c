from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "liuzhuan.merchants"
    label = "merchants"
    verbose_name = "特约商户"

    def ready(self):
        from liuzhuan.core import context
        from liuzhuan.core.roles import OVERSIGHT_ROLES, Role

        entry = ("特约商户", "merchants:browse", frozenset({Role.MEMBER, Role.MERCHANT, *OVERSIGHT_ROLES}))
        if all(existing[1] != entry[1] for existing in context.EXTRA_NAV):
            context.EXTRA_NAV.append(entry)
