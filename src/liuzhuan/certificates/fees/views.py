"""The fees page (schedule, parameters, statement) and the statement as a spreadsheet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.money import format_plain
from liuzhuan.core.roles import Role
from liuzhuan.core.views import require_page_role
from liuzhuan.core.xlsx import Column, xlsx_response
from liuzhuan.members.models import Organisation

from ..ledger import actions as ledger_actions
from ..ledger.models import CertificateConfig
from . import actions, queries, rules
from .forms import ConfigForm, FeePaidForm, FeeRuleForm
from .models import FeeRule


@login_required
def fees(request):
    require_page_role(request, Role.OPERATOR, Role.MEMBER)
    user = request.user
    is_operator = user.organisation.has_role(Role.OPERATOR)
    rule_form = FeeRuleForm(initial={"effective_date": today_china()})
    config = CertificateConfig.get()
    config_form = ConfigForm(initial={"min_unit": format_plain(config.min_unit_fen), "offer_days": config.offer_days})
    today = today_china()
    paid_form = FeePaidForm(initial={"paid_on": today})
    if request.method == "POST" and request.POST.get("form") == "paid":  # the action says who may (finance staff)
        paid_form = FeePaidForm(request.POST)
        if paid_form.is_valid():
            d = paid_form.cleaned_data
            if run_action(paid_form, lambda: actions.record_fee_paid(user, d["charge"], d["paid_on"], d["payment_ref"])):
                messages.success(request, "缴费已登记。")
                return redirect(request.get_full_path())
    elif request.method == "POST" and is_operator:
        if request.POST.get("form") == "rule":
            rule_form = FeeRuleForm(request.POST)
            if rule_form.is_valid():
                d = rule_form.cleaned_data
                if run_action(rule_form, lambda: actions.set_fee_rule(user, d["op_type"], d["rate_per_10k"], d["min_amount"] or 0, d["max_amount"], d["payer"], d["effective_date"])):
                    messages.success(request, "收费标准已保存。")
                    return redirect("certificates:fees")
        elif request.POST.get("form") == "config":
            config_form = ConfigForm(request.POST)
            if config_form.is_valid():
                d = config_form.cleaned_data
                if run_action(config_form, lambda: ledger_actions.set_config(user, min_unit_fen=d["min_unit"], offer_days=d["offer_days"])):
                    messages.success(request, "业务参数已保存。")
                    return redirect("certificates:fees")
    try:
        org_id = queries.fee_statement_org(user, request.GET.get("org"))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    status = request.GET.get("status", "")
    status = status if status in queries.STATUSES else ""
    totals = queries.fee_totals(queries.fee_statement(org_id), today)
    page = Paginator(queries.fee_statement(org_id, status=status, today=today), 50).get_page(request.GET.get("page"))
    for f in page:
        f.status = queries.charge_status(f, today)
        f.status_label, f.due = rules.STATUS_LABELS[f.status], rules.due_date(f.charged_on)
    return render(request, "certificates/fees.html", {
        "rules": FeeRule.objects.select_related("created_by"), "is_operator": is_operator, "rule_form": rule_form,
        "config_form": config_form, "page": page, "total": totals["total"], "totals": totals, "status": status,
        "statuses": rules.STATUS_LABELS, "due_days": rules.DUE_DAYS, "paid_form": paid_form,
        "is_finance": is_operator and user.position in actions.FINANCE_POSITIONS,
    })


def _fee_columns(today):
    return [
        Column("日期", "charged_on", width=12),
        Column("机构", "org__name", width=30),
        Column("业务类型", "kind_label", width=10),
        Column("凭证编号", "certificate__number", width=18),
        Column("业务编号", "reference", width=18),
        Column("计费金额（元）", "base_fen", width=16, total=False),
        Column("费率（‱）", "rule__rate_per_10k", width=10),
        Column("费用（元）", "amount_fen", width=14),
        Column("缴费状态", lambda f: rules.STATUS_LABELS[queries.charge_status(f, today)], width=16),
        Column("缴费期限", lambda f: rules.due_date(f.charged_on), width=12),
        Column("缴费日期", "paid_on", width=12),
        Column("缴费凭据号", "payment_ref", width=20),
    ]


@login_required
def fees_xlsx(request):
    """The fee statement on the one generic export path (core.xlsx): the filter used in the title,
    yuan formats, a totals row, streamed from a temporary file."""
    require_page_role(request, Role.OPERATOR, Role.MEMBER, Role.REGULATOR, Role.BUREAU)
    try:
        org_id = queries.fee_statement_org(request.user, request.GET.get("org"))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    today = today_china()
    status = request.GET.get("status", "")
    status = status if status in queries.STATUSES else ""
    org = Organisation.objects.filter(pk=org_id).first() if org_id else None
    text = "，".join(t for t in (f"机构 {org.name}" if org else "", f"缴费状态 {rules.STATUS_LABELS[status]}" if status else "") if t)
    rows = queries.fee_statement(org_id, status=status or None, today=today)
    return xlsx_response(rows.iterator(chunk_size=2000), _fee_columns(today), title="服务费明细",
                         filename=f"fee-statement-{today:%Y%m%d}.xlsx", filter_text=text)
