"""Issuance pages: apply, an application (confirm, attach, review), the review queue, issued certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.forms import run_action
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import Role
from liuzhuan.core.uploads import read_limited
from liuzhuan.core.views import require_page_role

from ..ledger.models import Certificate
from ..ledger.views import perform
from . import actions, legacy, queries
from .forms import ApplicationForm, AttachmentForm, CheckForm, DecideForm, LegacyForm, PrepareForm
from .models import ApplicationStatus
from .rules import REVIEW_CHECKS


def _application_input(form):
    d = form.cleaned_data
    return actions.ApplicationInput(
        counterparty_id=d["counterparty"].pk, role=d["role"], contract_no=d["contract_no"], contract_title=d["contract_title"],
        contract_date=d["contract_date"], amount_fen=d["amount"], maturity_date=d["maturity_date"],
        offset_scope=tuple(d["offset_scope"]), non_cash_declared=d["non_cash_declared"],
        extension_days=d["extension_days"], extension_max=d["extension_max"], guarantee_text=d["guarantee_text"],
        purchase_commitment_ref=d["purchase_commitment_ref"], extension_conditions=tuple(d["extension_conditions"]),
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


def _application_outcome(kind: str, done) -> str:
    """What an application page action did and what happens next (the flash after the redirect)."""
    if kind == "upload":
        return f"已上传 {done.original_name}，运营机构初审时核对。"
    if kind == "check":
        return f"已记录核查：{done.get_item_display()}。"
    app = done
    if kind == "withdraw":
        return f"申请 {app.number} 已撤回。"
    if kind == "confirm":
        if app.status == ApplicationStatus.SUBMITTED:
            return f"已确认申请 {app.number}，双方均已确认，等待运营机构初审。"
        return f"已确认申请 {app.number}，等待对方确认。"
    if kind == "prepare":
        return f"初审意见（{app.get_prepared_action_display()}）已提交，等待另一名人员复核。"
    if app.status == ApplicationStatus.ISSUED:
        return f"复核通过：已开具凭证 {app.certificate.number}（{format_yuan(app.amount_fen)}），已通知债权人和债务人。"
    if app.status == ApplicationStatus.SUBMITTED:
        return f"复核不同意：申请 {app.number} 已退回经办人重新初审。"
    return f"复核完成：申请 {app.number} {app.get_status_display()}，已通知双方。"


@login_required
def application(request, app_id: int):
    app = queries.visible_applications(request.user).filter(pk=app_id).first()
    if app is None:
        raise Http404("申请不存在")
    user = request.user
    org = user.organisation
    is_party = org.pk in (app.creditor_id, app.debtor_id)
    is_operator = org.has_role(Role.OPERATOR)
    upload_form, prepare_form, decide_form, check_form = AttachmentForm(), PrepareForm(), DecideForm(), CheckForm()
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
                done = run_action(upload_form, lambda: actions.add_attachment(
                    user, app.pk, f.name, read_limited(f, actions.attachment_limit())))
        elif kind == "check" and is_operator:
            check_form = CheckForm(request.POST)
            if check_form.is_valid():
                d = check_form.cleaned_data
                done = run_action(check_form, lambda: actions.record_review_check(user, app.pk, d["item"], d["note"]))
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
            messages.success(request, _application_outcome(kind, done))
            return redirect("certificates:application", app_id=app.pk)
        app.refresh_from_db()
    my_side = "creditor" if org.pk == app.creditor_id else "debtor" if org.pk == app.debtor_id else None
    checks = actions.current_checks(app)
    return render(request, "certificates/application.html", {
        "app": app, "attachments": app.attachments.all(), "is_party": is_party, "is_operator": is_operator, "my_side": my_side,
        "my_confirmed": bool(my_side and getattr(app, f"{my_side}_confirmed_at")),
        "upload_form": upload_form, "prepare_form": prepare_form, "decide_form": decide_form, "check_form": check_form,
        "checklist": [(item, label, checks.get(item)) for item, label in REVIEW_CHECKS.items()],
        "may_open_documents": is_party or is_operator,
        "certificate": Certificate.objects.filter(application=app).first(),
    })


@login_required
def attachment(request, app_id: int, attachment_id: int):
    """Open a contract document: the operator's reviewers and the two parties (others: 404 / 403)."""
    try:
        att = queries.contract_document(request.user, app_id, attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    return queries.open_document(att)


@login_required
def review_queue(request):
    require_page_role(request, Role.OPERATOR)
    return render(request, "certificates/review_queue.html", {"items": queries.review_queue()})


@login_required
def issued(request):
    require_page_role(request, Role.OPERATOR, Role.REGULATOR, Role.BUREAU)
    qs = Certificate.objects.select_related("creditor", "debtor", "application").order_by("-id")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(creditor__name__icontains=q) | Q(debtor__name__icontains=q))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    total = qs.filter(status="active").aggregate(t=Sum("face_fen"))["t"] or 0  # the rows listed, not the whole register
    return render(request, "certificates/issued.html", {"page": page, "q": q, "total": total})


@login_required
def legacy_list(request):
    """存量业务台账: operator, regulator and bureau see every 存量 certificate and how many are still open;
    the operator records one."""
    require_page_role(request, Role.OPERATOR, Role.REGULATOR, Role.BUREAU)
    user = request.user
    is_operator = user.organisation.has_role(Role.OPERATOR)
    form = LegacyForm(request.POST or None)
    if request.method == "POST":
        if not is_operator:  # the form is not shown to oversight readers: the refusal goes on the page
            perform(request, lambda: legacy.record_legacy_certificate(user, None), "")
        elif form.is_valid():
            d = form.cleaned_data
            data = legacy.LegacyInput(
                creditor_id=d["creditor"].pk, debtor_id=d["debtor"].pk, holder_id=d["holder"].pk if d["holder"] else None,
                original_no=d["original_no"], original_issue_date=d["original_issue_date"], contract_no=d["contract_no"],
                contract_title=d["contract_title"], contract_date=d["contract_date"], amount_fen=d["amount"],
                maturity_date=d["maturity_date"], offset_scope=tuple(d["offset_scope"]))
            if perform(request, lambda: legacy.record_legacy_certificate(user, data), "存量业务已登记。", form):
                return redirect("certificates:legacy")
    page = Paginator(legacy.legacy_certificates(), 30).get_page(request.GET.get("page"))
    return render(request, "certificates/legacy.html", {
        "page": page, "summary": legacy.legacy_summary(), "form": form, "is_operator": is_operator})
