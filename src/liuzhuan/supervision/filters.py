"""Filters of the oversight lists (django-filter): period, status, industry, enterprise size and area.

Area (地区) is the registration region in the 统一社会信用代码 (characters 3–8, the 行政区划代码 of
the registering authority), matched by a 2-, 4- or 6-digit prefix: the code every organisation
already carries, so no second place to keep an address class in step."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.core.validators import RegexValidator
from django.db.models.functions import Substr
from django.utils import timezone

from liuzhuan.bridge.models.application import Application, AppStatus
from liuzhuan.certificates.ledger.models import Certificate, CertificateStatus, Piece, PieceStatus
from liuzhuan.members.classification import INDUSTRIES, SIZES

AREA_VALIDATOR = RegexValidator(r"^\d{2}(\d{2}){0,2}$", "应为 2、4 或 6 位数字的行政区划代码（如 3408、340881）")

#: piece status groups the dashboard's figures count (key, label, statuses)
PIECE_GROUPS = [
    ("outstanding", "在途（持有中）", [PieceStatus.LIVE, PieceStatus.OFFERED, PieceStatus.OFFSETTING, PieceStatus.SELLING]),
    ("transferred", "已转让", [PieceStatus.TRANSFERRED]),
    ("pledged", "质押中", [PieceStatus.PLEDGED]),
    ("offset", "已抵付", [PieceStatus.OFFSET]),
    ("set_off", "已抵销", [PieceStatus.SET_OFF]),
    ("voided", "已作废", [PieceStatus.VOIDED]),
]
PIECE_GROUP_STATUSES = {key: statuses for key, _label, statuses in PIECE_GROUPS}

#: bridge loan groups (key, label, statuses)
LOAN_GROUPS = [
    ("pipeline", "在审（待放款）", [AppStatus.SUBMITTED, AppStatus.PREPARED, AppStatus.APPROVED, AppStatus.CONFIRMED]),
    ("live", "在贷", [AppStatus.DISBURSED, AppStatus.OVERDUE, AppStatus.RECOVERY]),
    ("at_risk", "逾期及追缴", [AppStatus.OVERDUE, AppStatus.RECOVERY]),
    ("repaid", "已结清", [AppStatus.REPAID]),
    ("disbursed", "已放款（含已结清）", [AppStatus.DISBURSED, AppStatus.OVERDUE, AppStatus.RECOVERY, AppStatus.REPAID]),
]
LOAN_GROUP_STATUSES = {key: statuses for key, _label, statuses in LOAN_GROUPS}


def _area(queryset, org_path: str, value: str):
    return queryset.annotate(_area=Substr(f"{org_path}__legal_id", 3, 6)).filter(_area__startswith=value)


class CertificateFilter(django_filters.FilterSet):
    issued_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte", label="开具日期自")
    issued_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte", label="开具日期至")
    industry = django_filters.ChoiceFilter(field_name="creditor__industry", choices=INDUSTRIES, label="债权人行业")
    size = django_filters.ChoiceFilter(field_name="creditor__enterprise_size", choices=SIZES, label="债权人规模")
    area = django_filters.CharFilter(method="filter_area", label="债权人地区", validators=[AREA_VALIDATOR])
    status = django_filters.ChoiceFilter(field_name="status", choices=CertificateStatus.choices, label="状态")
    matures_within = django_filters.NumberFilter(method="filter_matures_within", label="到期天数内", min_value=0)
    overdue = django_filters.BooleanFilter(field_name="overdue_since", lookup_expr="isnull", exclude=True, label="已逾期")
    extended = django_filters.BooleanFilter(method="filter_extended", label="已展期")

    class Meta:
        model = Certificate
        fields: list[str] = []

    def filter_matures_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(maturity_date__gte=today, maturity_date__lte=today + dt.timedelta(days=int(value)))

    def filter_area(self, queryset, name, value):
        return _area(queryset, "creditor", value)

    def filter_extended(self, queryset, name, value):
        return queryset.filter(extension_count__gt=0) if value else queryset.filter(extension_count=0)


class PieceFilter(django_filters.FilterSet):
    group = django_filters.ChoiceFilter(method="filter_group", label="分段状态",
                                        choices=[(k, label) for k, label, _s in PIECE_GROUPS])
    origin = django_filters.ChoiceFilter(field_name="origin", label="来源",
                                         choices=[("issue", "开具"), ("split", "拆分"), ("transfer", "转让")])
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label="形成日期自")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label="形成日期至")
    industry = django_filters.ChoiceFilter(field_name="holder__industry", choices=INDUSTRIES, label="持有人行业")
    size = django_filters.ChoiceFilter(field_name="holder__enterprise_size", choices=SIZES, label="持有人规模")
    area = django_filters.CharFilter(method="filter_area", label="持有人地区", validators=[AREA_VALIDATOR])

    class Meta:
        model = Piece
        fields: list[str] = []

    def filter_group(self, queryset, name, value):
        return queryset.filter(status__in=PIECE_GROUP_STATUSES[value])

    def filter_area(self, queryset, name, value):
        return _area(queryset, "holder", value)


class LoanFilter(django_filters.FilterSet):
    group = django_filters.ChoiceFilter(method="filter_group", label="业务状态",
                                        choices=[(k, label) for k, label, _s in LOAN_GROUPS])
    disbursed_from = django_filters.DateFilter(field_name="disbursed_on", lookup_expr="gte", label="提款日期自")
    disbursed_to = django_filters.DateFilter(field_name="disbursed_on", lookup_expr="lte", label="提款日期至")
    industry = django_filters.ChoiceFilter(field_name="applicant__industry", choices=INDUSTRIES, label="企业行业")
    size = django_filters.ChoiceFilter(field_name="applicant__enterprise_size", choices=SIZES, label="企业规模")
    area = django_filters.CharFilter(method="filter_area", label="企业地区", validators=[AREA_VALIDATOR])

    class Meta:
        model = Application
        fields: list[str] = []

    def filter_group(self, queryset, name, value):
        return queryset.filter(status__in=LOAN_GROUP_STATUSES[value])

    def filter_area(self, queryset, name, value):
        return _area(queryset, "applicant", value)


def describe(fs: django_filters.FilterSet) -> str:
    """The filter used, in words, for the export's title line."""
    if not fs.is_bound or not fs.is_valid():
        return ""
    parts = []
    for name, f in fs.filters.items():
        value = fs.form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        choices = dict(getattr(f, "extra", {}).get("choices") or [])
        if isinstance(value, bool):
            value = "是" if value else "否"
        parts.append(f"{f.label} {choices.get(value, value)}")
    return "，".join(parts)
