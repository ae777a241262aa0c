from django.apps import AppConfig


class BridgeConfig(AppConfig):
    name = "liuzhuan.bridge"
    label = "bridge"
    verbose_name = "续贷过桥资金"

    def ready(self):
        from liuzhuan.core import context, views
        from liuzhuan.core.roles import Role

        oversight = frozenset({Role.FUND_MANAGER, Role.BUREAU, Role.REGULATOR})
        # One sidebar entry per audience: the overview page carries the tabs (资金与风险, 业务, 台账,
        # 合作银行, 利率与LPR, 资料清单, 追偿, 非税收入, 季度报告) for the manager, bureau and regulator.
        entries = [
            ("过桥资金", "bridge:overview", oversight),
            ("过桥业务", "bridge:applications", frozenset({Role.BANK, Role.MEMBER})),
        ]
        for entry in entries:
            if all(existing[1] != entry[1] for existing in context.EXTRA_NAV):
                context.EXTRA_NAV.append(entry)

        from .reports.views import dashboard_section

        if dashboard_section not in views.DASHBOARD_SECTIONS:
            views.DASHBOARD_SECTIONS.append(dashboard_section)
