import sys

from django.apps import AppConfig


class SetoffConfig(AppConfig):
    name = "liuzhuan.setoff"
    label = "setoff"
    verbose_name = "债权债务抵销"

    def ready(self):
        from liuzhuan.core import context, views
        from liuzhuan.core.roles import OVERSIGHT_ROLES, Role

        entry = ("债权债务抵销", "setoff:register", frozenset({Role.MEMBER, *OVERSIGHT_ROLES}))
        if all(existing[1] != entry[1] for existing in context.EXTRA_NAV):
            context.EXTRA_NAV.append(entry)

        from .dashboard import dashboard_section

        if dashboard_section not in views.DASHBOARD_SECTIONS:
            views.DASHBOARD_SECTIONS.append(dashboard_section)

        if "db_worker" in sys.argv:  # the task worker: load the compiled solver once, not in its first run
            from liuzhuan.netting.solver import warm_up

            warm_up()
