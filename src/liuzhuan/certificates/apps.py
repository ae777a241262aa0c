from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "liuzhuan.certificates"
    label = "certificates"
    verbose_name = "应收账款债权凭证"

    def ready(self):
        from liuzhuan.core.context import EXTRA_NAV
        from liuzhuan.core.roles import Role
        from liuzhuan.core.views import DASHBOARD_SECTIONS

        from . import lifecycle_integrity  # noqa: F401 - registers its verify invariants (integrity.py is found by core)
        from .lifecycle_views import NAV as LIFECYCLE_NAV
        from .views import dashboard_section

        EXTRA_NAV.extend([
            ("我的凭证", "certificates:dashboard", frozenset({Role.MEMBER})),
            ("凭证审核", "certificates:review_queue", frozenset({Role.OPERATOR})),
            ("已开具凭证", "certificates:issued", frozenset({Role.OPERATOR, Role.REGULATOR, Role.BUREAU})),
            ("服务费", "certificates:fees", frozenset({Role.OPERATOR, Role.MEMBER})),
            *LIFECYCLE_NAV,
        ])
        DASHBOARD_SECTIONS.append(dashboard_section)
