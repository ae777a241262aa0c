"""Application pages (Chinese): the list (业务), applying, the page of one application, and the
materials checklist (资料清单). Thin: decide which forms a user sees, parse, call an action,
render. Pages 404 for anyone who may not see them; the actions still check every permission.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.money import format_plain
from liuzhuan.core.roles import Role
from liuzhuan.core.views import post_id

from ..fund.forms import NoteForm, ReasonForm
from ..fund.views import Who, ok, oversight, posted, who_is
from ..models.application import PIPELINE_STATUSES, Application, AppStatus, CheckKind, ChecklistVersion
from . import actions, correction, forms, queries
from .materials import current_files, get_material_file
from .rules import DEFAULT_MATERIALS


@login_required
def material_file(request, app_id: int, file_id: int):
    """One material file, for the applicant, the manager's reviewers and the lending bank; 404 otherwise."""
    try:
        f = get_material_file(request.user, app_id, file_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    resp = FileResponse(f.file.open("rb"), as_attachment=True, filename=f.original_name, content_type=f.content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
def applications(request):
    who = who_is(request)
    if not (who.sees_all or who.bank or who.can_apply or request.user.organisation.has_role(Role.MEMBER)):
        raise Http404("页面不存在")
    qs = queries.visible_applications(request.user)
    status = request.GET.get("status") or ""
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "bridge/applications.html", {"who": who, "page": page, "status": status, "statuses": AppStatus.choices})


@login_required
def apply(request):
    who = who_is(request)
    if not who.can_apply or who.fund is None:
        raise Http404("页面不存在")
    today = today_china()
    checklist = queries.latest_filed_checklist()
    form = forms.ApplyForm(request.POST or None, request.FILES or None, checklist=checklist, today=today)
    ban = queries.active_ban(request.user.organisation_id, today)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.ApplicationInput(
            bank_id=d["bank_id"], sme_size=d["sme_size"], original_contract_no=d["original_contract_no"],
            original_loan_type=d["original_loan_type"], original_due_fen=d["original_due_fen"],
            original_due_date=d["original_due_date"], classification=d["classification"], loan_account=d["loan_account"],
            renewal_approval_fen=d["renewal_approval_fen"], renewal_approval_no=d["renewal_approval_no"],
            renewal_approval_date=d["renewal_approval_date"], amount_fen=d["amount_fen"], planned_days=d["planned_days"],
            planned_draw_date=d["planned_draw_date"], purpose_confirmed=d["purpose_confirmed"],
            evidence=form.evidence(), materials=form.materials(),
        )
        app = run_action(form, lambda: actions.submit_application(
            request.user, dataclasses.replace(data, files=forms.material_files(request, checklist))))
        if app:
            return ok(request, f"申请已提交：{app.number}，请等待过桥资金管理机构审核。", "bridge:application", app.pk)
    return render(request, "bridge/apply.html", {"who": who, "form": form, "checklist": checklist, "ban": ban})


# ---------------------------------------------------------------------------------------------
# The page of one application (业务详情), from submission to recovery
# ---------------------------------------------------------------------------------------------


def _no_context(app: Application, today: dt.date) -> dict:
    return {}


@dataclass(frozen=True)
class PageSection:
    """What one stage adds to the application page: the forms a user may use now, what posting each
    one does, and the stage's part of the page."""

    #: (app, who, today) -> {form kind: unbound form} for the actions this user may take now
    forms: Callable[[Application, Who, dt.date], dict]
    #: form kind -> (form class, callable(user, app, cleaned_data) -> result, success message)
    actions: dict[str, tuple]
    #: (app, today) -> extra template context
    context: Callable[[Application, dt.date], dict] = _no_context


def _forms(app: Application, who: Who, today: dt.date) -> dict:
    f = {}
    s = app.status
    if who.manager_org:
        if s == AppStatus.SUBMITTED:
            f["prepare"] = forms.PrepareForm(prefix="prepare", initial={"mode": "self"})
            f["return"] = ReasonForm(prefix="return")
        if s in PIPELINE_STATUSES:
            f["reject"] = ReasonForm(prefix="reject")
        if s == AppStatus.PREPARED and who.head and app.prepared_by_id != who.user.pk:
            f["approve"] = NoteForm(prefix="approve")
    if who.org_id == app.applicant_id and s in PIPELINE_STATUSES:
        f["withdraw"] = NoteForm(prefix="withdraw")
    if who.org_id == app.bank_id and who.bank and (s == AppStatus.APPROVED or app.awaits_bank_terms):
        f["bank_confirm"] = forms.BankConfirmForm(prefix="bank_confirm", initial={
            "renewal_approval_fen": format_plain(app.renewal_approval_fen), "renewal_approval_no": app.renewal_approval_no,
            "renewal_approval_date": app.renewal_approval_date, "classification": app.classification,
            "original_due_date": app.original_due_date, "term_days": app.planned_days})
        if s == AppStatus.APPROVED:
            f["bank_decline"] = ReasonForm(prefix="bank_decline")
    return f


def _context(app: Application, today: dt.date) -> dict:
    if app.is_disbursed or app.status in (AppStatus.REJECTED, AppStatus.WITHDRAWN):
        return {"quote": None}
    return {"quote": queries.preview_quote(app)}


#: this stage's section; ``urls.py`` adds the loan's (``loan/views.py``) and the recovery's
#: (``recovery/views.py``) after it, in that order
PAGE = PageSection(forms=_forms, context=_context, actions={
    "prepare": (forms.PrepareForm, lambda u, a, d: actions.prepare(u, a.pk, mode=d["mode"], note=d["note"]), "已初审，等待负责人复核。"),
    "approve": (NoteForm, lambda u, a, d: actions.approve(u, a.pk, note=d["note"]), "已复核通过，等待贷款银行确认。"),
    "return": (ReasonForm, lambda u, a, d: correction.return_for_correction(u, a.pk, reason=d["reason"]), "已退回企业补正。"),
    "reject": (ReasonForm, lambda u, a, d: actions.reject_application(u, a.pk, reason=d["reason"]), "已退回申请。"),
    "withdraw": (NoteForm, lambda u, a, d: actions.withdraw_application(u, a.pk, d["note"]), "申请已撤回。"),
    "bank_confirm": (forms.BankConfirmForm, lambda u, a, d: actions.bank_confirm(
        u, a.pk, renewal_approval_fen=d["renewal_approval_fen"], renewal_approval_no=d["renewal_approval_no"],
        renewal_approval_date=d["renewal_approval_date"], renewal_in_progress=d["renewal_in_progress"],
        classification=d["classification"], original_due_date=d["original_due_date"], confirmed_account=d["confirmed_account"],
        term_days=d["term_days"], note=d["note"]), "已确认续贷，等待放款。"),
    "bank_decline": (ReasonForm, lambda u, a, d: actions.bank_decline(u, a.pk, reason=d["reason"]), "已不予确认。"),
})


def application_page(*sections: PageSection):
    """The view of ``bridge:application``: one business through its whole life. ``sections`` are
    the stages' parts in page order; each stage keeps its own forms and actions, and this page
    only dispatches a posted form to the stage that offered it."""
    stage_actions = {kind: action for section in sections for kind, action in section.actions.items()}

    @login_required
    def application_detail(request, app_id: int):
        who = who_is(request)
        try:
            app = queries.get_visible_application(request.user, app_id)
        except DomainError as exc:
            raise Http404(exc.message) from exc
        today = today_china()
        detail_forms = {}
        for section in sections:  # unbound forms for the actions this user may take on this application now
            detail_forms.update(section.forms(app, who, today))
        checks = list(app.checks.select_related("reviewed_by"))  # once, for the forms and both lists
        files = current_files(app)
        for c in checks:
            c.current_files = files.get(c.pk, [])
        checks_form = resubmit_form = None
        if who.manager_org and app.status == AppStatus.SUBMITTED:
            checks_form = forms.ChecksForm(checks=checks)
        material_checks = [c for c in checks if c.kind == CheckKind.MATERIAL]
        if who.org_id == app.applicant_id and app.status == AppStatus.RETURNED:
            resubmit_form = forms.ResubmitForm(prefix=None, items=material_checks)
        if request.method == "POST":
            kind = request.POST.get("form", "")
            if kind == "resubmit" and resubmit_form:
                resubmit_form = forms.ResubmitForm(request.POST, request.FILES, items=material_checks)
                if resubmit_form.is_valid():
                    d = resubmit_form.cleaned_data
                    done = run_action(resubmit_form, lambda: correction.resubmit_application(
                        request.user, app.pk, files=forms.material_files(request, keys=[c.key for c in material_checks]),
                        note=d["note"], add=d["add"]))
                    if done is not None:
                        return ok(request, "已补正并重新提交，请等待管理机构审核。", "bridge:application", app.pk)
            elif kind == "checks" and checks_form:
                checks_form = forms.ChecksForm(request.POST, checks=checks)
                if checks_form.is_valid():
                    done = run_action(checks_form, lambda: actions.review_checks(request.user, app.pk, checks_form.results()))
                    if done is not None:
                        return ok(request, f"已保存 {len(done)} 个审核要点的结论。"
                                  + ("全部通过后可在下方初审。" if all(c.passed for c in done) and len(done) == len(checks) else ""),
                                  "bridge:application", app.pk)
            elif kind not in detail_forms:
                raise Http404("页面不存在")
            else:
                form_cls, call, text = stage_actions[kind]
                form = form_cls(request.POST, prefix=kind)
                if form.is_valid():
                    done = run_action(form, lambda: call(request.user, app, form.cleaned_data))
                    if done is not None:
                        return ok(request, text, "bridge:application", app.pk)
                detail_forms[kind] = form
        events = AuditEvent.objects.filter(object_type="bridge.application", object_id=str(app.pk)).order_by("seq") if who.sees_all else []
        if checks_form is not None:
            for c in checks:  # the row's inputs, beside its evidence
                c.form_passed, c.form_note = checks_form[f"checks.{c.pk}.passed"], checks_form[f"checks.{c.pk}.note"]
        context = {
            "who": who, "app": app, "forms": detail_forms, "checks_form": checks_form,
            "eligibility": [c for c in checks if c.kind == CheckKind.ELIGIBILITY],
            "materials": [c for c in checks if c.kind == CheckKind.MATERIAL],
            "events": events, "today": today, "resubmit_form": resubmit_form,
            "open_files": who.org_id in (app.applicant_id, app.bank_id) or who.manager_org,
        }
        for section in sections:
            context.update(section.context(app, today))
        return render(request, "bridge/application_detail.html", context)

    return application_detail


# ---------------------------------------------------------------------------------------------
# Materials checklist (第九条)
# ---------------------------------------------------------------------------------------------


@login_required
def checklist(request):
    who = oversight(request)
    form = forms.ChecklistForm(prefix="cl", initial={"items": "\n".join(DEFAULT_MATERIALS)})
    if posted(request, "create") and who.head:
        form = forms.ChecklistForm(request.POST, prefix="cl")
        if form.is_valid() and run_action(form, lambda: actions.create_checklist(request.user, items=form.item_list(),
                                                                                   process=form.cleaned_data["process"])):
            return ok(request, "已制定新版申请资料清单（尚未报备）。", "bridge:checklist")
    elif posted(request, "file") and who.head:
        try:
            actions.file_checklist(request.user, post_id(request, "checklist_id"))
            return ok(request, "已报市财政局备案。", "bridge:checklist")
        except DomainError as exc:
            messages.error(request, exc.message)
    elif posted(request, "ack") and who.bureau:
        try:
            actions.acknowledge_checklist(request.user, post_id(request, "checklist_id"))
            return ok(request, "已确认备案。", "bridge:checklist")
        except DomainError as exc:
            messages.error(request, exc.message)
    versions = ChecklistVersion.objects.select_related("created_by", "filed_by", "acknowledged_by")
    return render(request, "bridge/checklist.html", {"who": who, "versions": versions, "form": form})
