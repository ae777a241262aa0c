"""What the oversight roles need to act on, and the count badge in the page header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from liuzhuan.bridge.fund.queries import exposure, get_fund
from liuzhuan.bridge.models.reports import QuarterlyReport, ReportStatus
from liuzhuan.certificates.ledger.models import Certificate, CertificateStatus
from liuzhuan.certificates.pledge.models import OPEN_PLEDGE_STATUSES, Pledge
from liuzhuan.core.roles import OVERSIGHT_ROLES
from liuzhuan.setoff.models import Obligation, ObligationStatus

SOON_DAYS = 7
BADGE_CACHE_KEY = "supervision.alert_count"
BADGE_SECONDS = 60


@dataclass(frozen=True)
class Alert:
    key: str
    label: str
    count: int
    url: str


def alerts(today: dt.date | None = None) -> list[Alert]:
    """Every alert kind with its count now (zero counts included), one query each."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=SOON_DAYS)
    fund = get_fund()
    # the live position (loans past their last day count before the daily job marks them,
    # 第二十二条), not only the flag the daily job leaves: the same reading as approval uses
    risk = int(fund is not None and (fund.warning_since is not None or exposure(fund, on=today).at_warning(fund.warn_percent)))
    late = QuarterlyReport.objects.filter(status=ReportStatus.DRAFT, due_date__lt=today).count()
    maturing = Certificate.objects.filter(status=CertificateStatus.ACTIVE, maturity_date__gte=today,
                                          maturity_date__lte=soon).count()
    pledges = Pledge.objects.filter(status__in=OPEN_PLEDGE_STATUSES, end_date__gte=today, end_date__lte=soon).count()
    disputed = Obligation.objects.filter(status=ObligationStatus.DISPUTED).count()
    certs = reverse("supervision:certificates_xlsx")
    return [
        Alert("fund_risk", "过桥资金风险敞口达到预警线", risk, reverse("bridge:overview")),
        Alert("report_late", "过桥资金季度报告逾期未报", late, reverse("bridge:reports")),
        Alert("maturing", f"{SOON_DAYS} 天内到期的债权凭证", maturing, f"{certs}?status=active&matures_within={SOON_DAYS}"),
        Alert("pledge_ending", f"{SOON_DAYS} 天内质押期限届满", pledges, reverse("certificates:lc_pledges")),
        Alert("disputed", "有异议的抵销债务", disputed, f"{reverse('setoff:register')}?status=disputed"),
    ]


def header_badge(request) -> dict | None:
    """The header badge for oversight users (registered with core.context.HEADER_BADGES)."""
    org = request.user.organisation
    if not org.has_any_role(OVERSIGHT_ROLES):
        return None
    # the counts change slowly and the badge is on every page: recount at most once a minute
    total = cache.get_or_set(BADGE_CACHE_KEY, lambda: sum(a.count for a in alerts()), BADGE_SECONDS)
    return {"label": "待办预警", "url": reverse("supervision:alerts"), "count": total}
