"""Obligation register pages: my receivables and payables, the confirmation queue, form and upload."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role
from liuzhuan.core.uploads import read_limited
from liuzhuan.core.views import require_page_role

from .. import queries
from ..forms import CashForm, ConsentForm, FundCashForm, ObligationForm, ReasonForm, UploadForm
from ..models import ObligationStatus
from . import actions, rules

ID_RE = re.compile(r"[0-9]{1,18}")  # ASCII digits a bigint holds ("²".isdigit() is True)
SIDES = [("", "全部"), ("receivable", "应收"), ("payable", "应付"), ("awaiting", "待我确认")]


@login_required
def register(request):
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    side = request.GET.get("side", "")
    status = request.GET.get("status", "")
    if side not in dict(SIDES) or status not in {"", *ObligationStatus.values}:
        side, status = "", ""
    page = Paginator(queries.obligations(request.user, side=side, status=status), 50).get_page(request.GET.get("page"))
    is_member = request.user.organisation.has_role(Role.MEMBER)
    overview = None if is_member else queries.overview()
    return render(request, "setoff/register.html", {
        "page": page, "side": side, "status": status, "sides": SIDES, "statuses": ObligationStatus.choices,
        "counts": queries.register_counts(request.user) if is_member else None, "is_member": is_member,
        "overview": overview,
        "overview_tables": [("行业", overview["by_industry"]), ("企业规模", overview["by_size"])] if overview else [],
        "graph": queries.neighbourhood(request.user) if is_member and not side and not status else None,
    })


@login_required
def new(request):
    require_page_role(request, Role.MEMBER)
    org = request.user.organisation
    form = ObligationForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        other = d["counterparty"].legal_id
        creditor, debtor = (org.legal_id, other) if d["side"] == "creditor" else (other, org.legal_id)
        o = run_action(form, lambda: actions.register_one(
            request.user, creditor=creditor, debtor=debtor, amount_fen=d["amount"], basis=d["basis"],
            due=d["due_date"], note=d["note"]))
        if o is not None:
            if o.status == ObligationStatus.CONFIRMED:
                messages.success(request, f"债务 {o.number} 与对方的登记一致，已确认。")
            else:
                messages.success(request, f"债务 {o.number} 已登记，等待对方确认。")
            return redirect("setoff:obligation", obligation_id=o.pk)
    return render(request, "setoff/new.html", {"form": form})


@login_required
def upload(request):
    require_page_role(request, Role.MEMBER)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > actions.WORKER_FROM_BYTES:  # a large file goes to the worker; the member follows it
            up = run_action(form, lambda: actions.submit_upload(request.user, f.name, read_limited(f, rules.MAX_BYTES)))
            if up is not None:
                return redirect("setoff:upload_status", upload_id=up.pk)
            return render(request, "setoff/upload.html", {"form": form, "report": None, "max_rows": rules.MAX_ROWS,
                                                          "uploads": queries.uploads(request.user)[:10]}, status=422)
        try:
            report = actions.import_file(request.user, f.name, read_limited(f, rules.MAX_BYTES))
        except actions.ImportRefused as exc:
            report, status = exc.report, 422
            form.add_error(None, exc.message)
        except DomainError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
            status = 422
        else:
            messages.success(request, f"导入完成：共 {report.rows} 行，新登记 {report.created} 笔，与对方登记相符并确认 {report.matched} 笔。")
            return redirect("setoff:register")
    return render(request, "setoff/upload.html", {"form": form, "report": report, "max_rows": rules.MAX_ROWS,
                                                  "uploads": queries.uploads(request.user)[:10]}, status=status)


@login_required
def upload_status(request, upload_id: int):
    require_page_role(request, Role.MEMBER)
    up = queries.uploads(request.user).filter(pk=upload_id).first()
    if up is None:
        raise Http404("导入记录不存在")
    return render(request, "setoff/upload_status.html", {"up": up})


@login_required
def template(request, fmt: str):
    require_page_role(request, Role.MEMBER)
    if fmt == "csv":
        body, ctype = rules.template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, ctype = rules.template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("页面不存在")
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename=\"liuzhuan-obligations-template.{fmt}\""
    return resp


@login_required
def obligation(request, obligation_id: int):
    o = queries.obligations(request.user).filter(pk=obligation_id).first()
    if o is None:
        raise Http404("债务不存在")
    org_id = request.user.organisation_id
    return render(request, "setoff/obligation.html", {
        "o": o, "awaiting_me": o.awaiting_org_id == org_id, "registered_by_me": o.registered_by_org_id == org_id,
        "is_party": org_id in (o.creditor_id, o.debtor_id), "reason_form": ReasonForm(),
        "may_rejoin": o.opted_out and o.opted_out_by_id in (None, org_id),
        "parts": queries.obligation_agreements(o),
    })


@login_required
@require_POST
def confirm_selected(request):
    require_page_role(request, Role.MEMBER)
    ids = [i for i in request.POST.getlist("ids") if ID_RE.fullmatch(i)]
    try:
        done = actions.confirm(request.user, ids)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认 {len(done)} 笔债务。")
    if request.POST.get("next") == "obligation" and len(ids) == 1:
        return redirect("setoff:obligation", obligation_id=int(ids[0]))
    return redirect(reverse("setoff:register") + "?side=awaiting")


@login_required
@require_POST
def obligation_action(request, obligation_id: int, verb: str):
    require_page_role(request, Role.MEMBER)
    form = ReasonForm(request.POST)
    try:
        if verb == "dispute":
            if not form.is_valid():
                raise DomainError("reason_required", "请填写异议理由（不超过 200 字）", field="reason")
            actions.dispute(request.user, obligation_id, form.cleaned_data["reason"])
            messages.success(request, "已提出异议，该笔债务不参与抵销。")
        elif verb == "withdraw":
            actions.withdraw(request.user, obligation_id)
            messages.success(request, "登记已撤回。")
        elif verb == "rejoin":
            actions.rejoin(request.user, obligation_id)
            messages.success(request, "该笔债务将参与下一次抵销测算。")
        else:
            raise Http404("页面不存在")
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("setoff:obligation", obligation_id=obligation_id)


@login_required
def cash(request):
    """现金清偿意愿: a member declares cash it can pay now; the market purchaser or the operator puts
    up cash for a member's debts (垫付). Runs use both to clear debt chains."""
    require_page_role(request, Role.MEMBER, Role.PURCHASER, *OVERSIGHT_ROLES)
    org = request.user.organisation
    is_member = org.has_role(Role.MEMBER)
    is_provider = org.has_any_role(actions.PROVIDER_ROLES)
    verb = request.POST.get("verb", "declare") if request.method == "POST" else ""
    form = CashForm(request.POST if verb == "declare" else None)
    fund_form = FundCashForm(request.POST if verb == "fund" else None)
    if verb == "declare":
        require_page_role(request, Role.MEMBER)
        if form.is_valid():
            d = form.cleaned_data
            done = run_action(form, lambda: actions.declare_cash(request.user, amount_fen=d["amount"],
                                                                 valid_until=d["valid_until"], note=d["note"]))
            if done is not None:
                messages.success(request, "已申报；下一次抵销测算将据此测算债务链清偿方案。")
                return redirect("setoff:cash")
    elif verb == "fund":
        require_page_role(request, *actions.PROVIDER_ROLES)
        if fund_form.is_valid():
            d = fund_form.cleaned_data
            done = run_action(fund_form, lambda: actions.fund_cash(
                request.user, payer_uscc=d["payer_uscc"], amount_fen=d["amount"], valid_until=d["valid_until"],
                note=d["note"]))
            if done is not None:
                messages.success(request, f"已为{done.organisation.name}提供资金；下一次抵销测算将据此测算债务链方案，"
                                          "须该单位确认后执行，执行后该单位对本单位负有等额债务。")
                return redirect("setoff:cash")
    return render(request, "setoff/cash.html", {
        "form": form, "fund_form": fund_form, "is_member": is_member, "is_provider": is_provider,
        "page": Paginator(queries.cash_declarations(request.user), 50).get_page(request.GET.get("page")),
    })


@login_required
@require_POST
def cash_withdraw(request, declaration_id: int):
    require_page_role(request, Role.MEMBER, *actions.PROVIDER_ROLES)
    try:
        actions.withdraw_cash(request.user, declaration_id)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回；等待签署、需用这笔现金的债务链协议将在执行时作废。")
    return redirect("setoff:cash")


@login_required
def consent(request):
    """质权人概括同意: a pledgee lets pieces pledged to it take part in set-off (or stops it)."""
    require_page_role(request, Role.MEMBER, *OVERSIGHT_ROLES)
    is_member = request.user.organisation.has_role(Role.MEMBER)
    form = ConsentForm(request.POST or None)
    if request.method == "POST":
        require_page_role(request, Role.MEMBER)
        verb = request.POST.get("verb", "")
        if verb == "withdraw":
            try:
                actions.withdraw_pledgee_consent(request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "已撤回概括同意：质押给本单位的分段不再参与后续测算；"
                                          "等待签署、含此类分段的协议将在执行时作废。")
            return redirect("setoff:consent")
        if form.is_valid() and run_action(form, lambda: actions.give_pledgee_consent(
                request.user, form.cleaned_data["note"])) is not None:
            messages.success(request, "已作出概括同意：下一次抵销测算起，质押给本单位的分段可参与抵销，每次执行都会通知本单位。")
            return redirect("setoff:consent")
    return render(request, "setoff/consent.html", {
        "form": form, "is_member": is_member, **queries.consent_overview(request.user),
    })
