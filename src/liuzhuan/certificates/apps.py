from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "liuzhuan.certificates"
    label = "certificates"
    verbose_name = "应收账款债权凭证"

    def ready(self):
        from liuzhuan.core.context import EXTRA_NAV
        from liuzhuan.core.roles import Role
        from liuzhuan.core.views import DASHBOARD_SECTIONS

        from .holdings.views import dashboard_section

        EXTRA_NAV.extend([
            ("我的凭证", "certificates:dashboard", frozenset({Role.MEMBER})),
            ("凭证审核", "certificates:review_queue", frozenset({Role.OPERATOR})),
            ("已开具凭证", "certificates:issued", frozenset({Role.OPERATOR, Role.REGULATOR, Role.BUREAU})),
            ("服务费", "certificates:fees", frozenset({Role.OPERATOR, Role.MEMBER})),
            ("质押", "certificates:lc_pledges", frozenset({Role.MEMBER, Role.BANK, Role.REGULATOR})),
            ("抵付", "certificates:lc_offsets", frozenset({Role.MEMBER, Role.HOUSING, Role.OPERATOR, Role.REGULATOR})),
            ("收购承诺", "certificates:lc_commitments", frozenset({Role.MEMBER, Role.PURCHASER, Role.OPERATOR, Role.REGULATOR})),
            ("房源与资产", "certificates:lc_assets", frozenset({Role.HOUSING})),
            ("收购台账", "certificates:lc_purchases", frozenset({Role.PURCHASER})),
            ("收购服务认可", "certificates:lc_providers", frozenset({Role.OPERATOR})),
            ("凭证作废", "certificates:lc_voids", frozenset({Role.OPERATOR})),
            ("存量业务", "certificates:legacy", frozenset({Role.OPERATOR, Role.REGULATOR, Role.BUREAU})),
            ("资金监管", "certificates:escrow_accounts", frozenset({Role.OPERATOR, Role.BANK, Role.REGULATOR, Role.BUREAU})),
        ])
        DASHBOARD_SECTIONS.append(dashboard_section)
