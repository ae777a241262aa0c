"""The fees page (schedule, parameters, statement) and the statement as a spreadsheet."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.money import format_plain
from liuzhuan.core.roles import Role
from liuzhuan.core.views import require_page_role

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


@login_required
def fees_xlsx(request):
    require_page_role(request, Role.OPERATOR, Role.MEMBER, Role.REGULATOR, Role.BUREAU)
    from openpyxl import Workbook

    try:
        org_id = queries.fee_statement_org(request.user, request.GET.get("org"))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    wb = Workbook()
    ws = wb.active
    ws.title = "服务费明细"
    ws.append(["日期", "机构", "业务类型", "凭证编号", "业务编号", "计费金额（元）", "费率（‱）", "费用（元）", "缴费状态",
               "缴费期限", "缴费日期", "缴费凭据号"])
    total, today = 0, today_china()
    for f in queries.fee_statement(org_id):
        ws.append([f.charged_on, f.org.name, f.kind_label, f.certificate.number, f.reference,
                   Decimal(format_plain(f.base_fen)), f.rule.rate_per_10k, Decimal(format_plain(f.amount_fen)),
                   rules.STATUS_LABELS[queries.charge_status(f, today)], rules.due_date(f.charged_on), f.paid_on, f.payment_ref])
        total += f.amount_fen
    ws.append(["合计", "", "", "", "", "", "", Decimal(format_plain(total))])
    for col, width in zip("ABCDEFGHIJKL", (12, 30, 10, 18, 18, 16, 10, 14, 16, 12, 12, 20), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="fee-statement-{today_china():%Y%m%d}.xlsx"'
    return resp
