"""Certificate pages: member dashboard, applications, review, pieces, offers, fees, public verify."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.money import format_plain, format_yuan
from liuzhuan.core.numbers import is_valid_number
from liuzhuan.core.roles import Role
from liuzhuan.core.views import require_page_role
from liuzhuan.members.queries import sees_all

from . import actions, queries
from .forms import (
    ApplicationForm,
    AttachmentForm,
    BatchTransferForm,
    ConfigForm,
    DecideForm,
    DeclineForm,
    FeeRuleForm,
    PrepareForm,
    TransferForm,
)
from .models import Certificate, CertificateConfig, FeeRule, Piece


def dashboard_section(request):
    org = request.user.organisation
    if not org or not org.has_role(Role.MEMBER):
        return None
    return {"title": "债权凭证", "template": "certificates/_dashboard_section.html", "context": {
        "totals": queries.holdings_total(org.pk), "offers_in": queries.offers_in(org.pk).count(),
        "as_debtor": queries.as_debtor(org.pk).filter(status="active").aggregate(t=Sum("face_fen"))["t"] or 0,
    }}


@login_required
def dashboard(request):
    require_page_role(request, Role.MEMBER)
    org = request.user.organisation
    return render(request, "certificates/dashboard.html", {
        "pieces": queries.held_pieces(org.pk), "totals": queries.holdings_total(org.pk),
        "offers_in": queries.offers_in(org.pk), "offers_out": queries.offers_out(org.pk),
        "debts": queries.as_debtor(org.pk),
        "applications": queries.visible_applications(request.user).exclude(status__in=["issued", "withdrawn", "rejected"])[:50],
    })


def _application_input(form):
    d = form.cleaned_data
    return actions.ApplicationInput(
        counterparty_id=d["counterparty"].pk, role=d["role"], contract_no=d["contract_no"], contract_title=d["contract_title"],
        contract_date=d["contract_date"], amount_fen=d["amount"], maturity_date=d["maturity_date"],
        settle_by_asset=d["settle_by_asset"], settle_by_consumption=d["settle_by_consumption"],
        non_cash_declared=d["non_cash_declared"], accepted_categories=d["accepted_categories"],
        extension_days=d["extension_days"], extension_max=d["extension_max"], guarantee_text=d["guarantee_text"],
        purchase_commitment_ref=d["purchase_commitment_ref"],
    )


@login_required
def apply(request):
    require_page_role(request, Role.MEMBER)
    form = ApplicationForm(request.POST or None, org=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        app = run_action(form, lambda: actions.create_application(request.user, _application_input(form)))
        if app:
            messages.success(request, f"申请 {app.number} 已提交，等待对方确认。")
            return redirect("certificates:application", app_id=app.pk)
    return render(request, "certificates/apply.html", {"form": form})


@login_required
def application(request, app_id: int):
    app = queries.visible_applications(request.user).filter(pk=app_id).first()
    if app is None:
        raise Http404("申请不存在")
    user = request.user
    org = user.organisation
    is_party = org.pk in (app.creditor_id, app.debtor_id)
    is_operator = org.has_role(Role.OPERATOR)
    upload_form, prepare_form, decide_form = AttachmentForm(), PrepareForm(), DecideForm()
    if request.method == "POST":
        kind = request.POST.get("form")
        done = None
        if kind == "confirm" and is_party:
            try:
                done = actions.confirm_application(user, app.pk)
            except DomainError as exc:
                messages.error(request, exc.message)
        elif kind == "withdraw" and is_party:
            try:
                done = actions.withdraw_application(user, app.pk)
            except DomainError as exc:
                messages.error(request, exc.message)
        elif kind == "upload" and is_party:
            upload_form = AttachmentForm(request.POST, request.FILES)
            if upload_form.is_valid():
                f = upload_form.cleaned_data["file"]
                done = run_action(upload_form, lambda: actions.add_attachment(user, app.pk, f.name, f.read()))
        elif kind == "prepare" and is_operator:
            prepare_form = PrepareForm(request.POST)
            if prepare_form.is_valid():
                d = prepare_form.cleaned_data
                done = run_action(prepare_form, lambda: actions.prepare_review(user, app.pk, d["action"], d["reason"]))
        elif kind == "decide" and is_operator:
            decide_form = DecideForm(request.POST)
            if decide_form.is_valid():
                d = decide_form.cleaned_data
                done = run_action(decide_form, lambda: actions.decide_review(user, app.pk, d["agree"] == "yes", d["reason"]))
        else:
            raise Http404("页面不存在")
        if done is not None:
            messages.success(request, "已办理。")
            return redirect("certificates:application", app_id=app.pk)
        app.refresh_from_db()
    my_side = "creditor" if org.pk == app.creditor_id else "debtor" if org.pk == app.debtor_id else None
    return render(request, "certificates/application.html", {
        "app": app, "attachments": app.attachments.all(), "is_party": is_party, "is_operator": is_operator, "my_side": my_side,
        "my_confirmed": bool(my_side and getattr(app, f"{my_side}_confirmed_at")),
        "upload_form": upload_form, "prepare_form": prepare_form, "decide_form": decide_form,
        "certificate": Certificate.objects.filter(application=app).first(),
    })


@login_required
def review_queue(request):
    require_page_role(request, Role.OPERATOR)
    return render(request, "certificates/review_queue.html", {"items": queries.review_queue()})


@login_required
def issued(request):
    require_page_role(request, Role.OPERATOR, Role.REGULATOR, Role.BUREAU)
    qs = Certificate.objects.select_related("creditor", "debtor").order_by("-id")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(creditor__name__icontains=q) | qs.filter(debtor__name__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    total = Certificate.objects.filter(status="active").aggregate(t=Sum("face_fen"))["t"] or 0
    return render(request, "certificates/issued.html", {"page": page, "q": q, "total": total})


@login_required
def certificate(request, cert_id: int):
    cert = get_object_or_404(Certificate.objects.select_related("creditor", "debtor", "application"), pk=cert_id)
    org = request.user.organisation
    if not (sees_all(request.user) or org.pk in (cert.creditor_id, cert.debtor_id)):
        raise Http404("凭证不存在")
    pieces = cert.pieces.select_related("holder", "parent")
    if not sees_all(request.user) and org.pk != cert.debtor_id:
        pieces = pieces.filter(holder=org)
    return render(request, "certificates/certificate.html", {"cert": cert, "pieces": pieces})


@login_required
def piece(request, piece_id: int):
    p = Piece.objects.select_related("certificate", "certificate__application", "holder", "certificate__debtor").filter(pk=piece_id).first()
    if p is None or not queries.can_view_piece(request.user, p):
        raise Http404("凭证分段不存在")
    org = request.user.organisation
    is_holder = p.holder_id == org.pk
    form, batch_form = TransferForm(org=org, debtor_id=p.certificate.debtor_id), BatchTransferForm()
    if request.method == "POST":
        if not is_holder:
            raise Http404("凭证分段不存在")
        if request.POST.get("form") == "batch":
            batch_form = BatchTransferForm(request.POST)
            if batch_form.is_valid():
                items = [actions.OfferItem(p.pk, to, amount, ref) for to, amount, ref in batch_form.cleaned_data["lines"]]
                offers = run_action(batch_form, lambda: actions.offer_transfers(request.user, items))
                if offers:
                    total = format_yuan(sum(o.amount_fen for o in offers))
                    messages.success(request, f"已发出 {len(offers)} 笔转让，合计 {total}，等待各受让方于 {offers[0].deadline:%Y-%m-%d} 前接收。")
                    return redirect("certificates:dashboard")
        else:
            form = TransferForm(request.POST, org=org, debtor_id=p.certificate.debtor_id)
            if form.is_valid():
                d = form.cleaned_data
                offer = run_action(form, lambda: actions.offer_transfer(request.user, p.pk, d["to_org"].pk, d["amount"], d["agreement_ref"]))
                if offer:
                    messages.success(request, f"已向 {offer.to_org.name} 发出转让，等待对方于 {offer.deadline:%Y-%m-%d} 前接收。")
                    return redirect("certificates:dashboard")
    return render(request, "certificates/piece.html", {
        "piece": p, "cert": p.certificate, "app": p.certificate.application, "chain": queries.chain_of_title(p),
        "is_holder": is_holder, "form": form, "batch_form": batch_form, "config": CertificateConfig.get(), "summary": queries.piece_summary(p),
        "open_offer": p.offers.filter(status="offered").select_related("to_org").first(),
    })


@login_required
@require_POST
def piece_pdf(request, piece_id: int):
    """POST: each paper copy is a recorded event (reprint number), so it is never a plain GET."""
    from .pdf import render_piece_pdf

    try:
        p, n = actions.print_piece(request.user, piece_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    pdf = render_piece_pdf(p, reprint_no=n, verify_url=request.build_absolute_uri(f"/verify/{p.number}"))
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{p.number}.pdf"'
    return resp


@login_required
@require_POST
def offer_action(request, transfer_id: int, verb: str):
    user = request.user
    try:
        if verb == "accept":
            t = actions.accept_offer(user, transfer_id)
            messages.success(request, f"已接收，流转变更登记编号 {t.registration_no}。")
        elif verb == "decline":
            form = DeclineForm(request.POST)
            form.is_valid()
            actions.decline_offer(user, transfer_id, form.cleaned_data.get("reason", ""))
            messages.success(request, "已拒收，金额退回转让方。")
        elif verb == "cancel":
            actions.cancel_offer(user, transfer_id)
            messages.success(request, "已撤回转让。")
        else:
            raise Http404("页面不存在")
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("certificates:dashboard")


@login_required
@require_POST
def accept_selected(request):
    """批量接收: the ticked offers on the dashboard, in one step."""
    raw = request.POST.getlist("transfer_ids")
    try:
        ids = [int(x) for x in raw]
    except ValueError:
        messages.error(request, "所选转让不正确，请刷新页面后重试。")
        return redirect("certificates:dashboard")
    if not ids:
        messages.error(request, "请先勾选要接收的转让。")
        return redirect("certificates:dashboard")
    try:
        done = actions.accept_offers(request.user, ids)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("certificates:dashboard")
    total = sum(t.amount_fen for t in done)
    numbers = done[0].registration_no if len(done) == 1 else f"{done[0].registration_no} 至 {done[-1].registration_no}"
    messages.success(request, f"已接收 {len(done)} 笔，合计 {format_yuan(total)}，流转变更登记编号 {numbers}。")
    return redirect("certificates:dashboard")


@login_required
def fees(request):
    require_page_role(request, Role.OPERATOR, Role.MEMBER)
    user = request.user
    is_operator = user.organisation.has_role(Role.OPERATOR)
    rule_form = FeeRuleForm(initial={"effective_date": today_china()})
    config = CertificateConfig.get()
    config_form = ConfigForm(initial={"min_unit": format_plain(config.min_unit_fen), "offer_days": config.offer_days})
    if request.method == "POST" and is_operator:
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
                if run_action(config_form, lambda: actions.set_config(user, min_unit_fen=d["min_unit"], offer_days=d["offer_days"])):
                    messages.success(request, "业务参数已保存。")
                    return redirect("certificates:fees")
    try:
        org_id = queries.fee_statement_org(user, request.GET.get("org"))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    charges = queries.fee_statement(org_id)
    total = charges.aggregate(t=Sum("amount_fen"))["t"] or 0
    return render(request, "certificates/fees.html", {
        "rules": FeeRule.objects.select_related("created_by"), "is_operator": is_operator, "rule_form": rule_form,
        "config_form": config_form, "page": Paginator(charges, 50).get_page(request.GET.get("page")), "total": total,
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
    ws.append(["日期", "机构", "业务类型", "凭证编号", "业务编号", "计费金额（元）", "费率（‱）", "费用（元）"])
    total = 0
    for f in queries.fee_statement(org_id):
        ws.append([f.charged_on, f.org.name, f.kind_label, f.certificate.number, f.reference,
                   Decimal(format_plain(f.base_fen)), f.rule.rate_per_10k, Decimal(format_plain(f.amount_fen))])
        total += f.amount_fen
    ws.append(["合计", "", "", "", "", "", "", Decimal(format_plain(total))])
    for col, width in zip("ABCDEFGH", (12, 30, 10, 18, 18, 16, 10, 14), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=6, max_col=8):
        for cell in row:
            cell.number_format = "#,##0.00"
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="fee-statement-{today_china():%Y%m%d}.xlsx"'
    return resp


def verify(request, number: str):
    """Public page (no login): live status and content hash of a piece, nothing beyond the paper copy."""
    number = (number or "").strip().upper()
    cert_no = number.split("-")[0]
    p = None
    if is_valid_number(cert_no):
        p = Piece.objects.select_related("certificate", "certificate__application", "holder", "certificate__creditor",
                                         "certificate__debtor", "certificate__operator").filter(number=number).first()
    if p is None:
        return render(request, "certificates/verify.html", {"number": number, "piece": None, "valid_format": is_valid_number(cert_no)}, status=404)
    return render(request, "certificates/verify.html", {"number": number, "piece": p, "cert": p.certificate,
                                                         "hash": queries.content_hash(p), "summary": queries.piece_summary(p)})

