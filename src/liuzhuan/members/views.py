"""Member pages: login (with lockout), logout, home, registration, review queue, organisations, users,
tokens, inbox, password."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from liuzhuan.core.errors import DomainError
from liuzhuan.core.forms import run_action
from liuzhuan.core.roles import Role
from liuzhuan.core.throttle import client_ip
from liuzhuan.core.uploads import read_limited
from liuzhuan.core.views import DASHBOARD_SECTIONS, require_page_role

from . import actions, queries
from .documents import DOCUMENT_LIMIT, documents_needed, label, required_documents
from .forms import (
    ChangePasswordForm,
    ClassificationForm,
    DepartmentForm,
    OperatorRegistrationForm,
    RegistrationForm,
    ResetPasswordForm,
    ResubmitForm,
    ReviewForm,
    StatusForm,
    TokenForm,
    UserForm,
)
from .models import ApiToken, DocumentKind, Organisation, OrgStatus, RegistrationDocument


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败多次后账号将被临时锁定。",
        "inactive": "该账号已停用。",
    }

    def clean(self):
        """Failures count per (username as typed, client address), known username or not, so the
        answers are the same for both and nobody can lock a user out from another address."""
        username = (self.cleaned_data.get("username") or "").strip()[:150]
        ip = client_ip(self.request) if self.request is not None else "unknown"
        if username:
            until = actions.login_locked_until(username, ip)
            if until:
                raise self._locked(until)
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                until = actions.record_login_failure(username, ip)
                if until:
                    raise self._locked(until) from None
            raise
        actions.record_login_success(username, ip)
        return cleaned

    @staticmethod
    def _locked(until) -> forms.ValidationError:
        local = timezone.localtime(until).strftime("%H:%M")
        return forms.ValidationError(
            f"登录失败次数过多，该用户名在本设备的登录已锁定至 {local}，请稍后再试或联系运营机构重置密码。", code="locked")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.organisation_id and user.organisation.status == "closed":
            raise forms.ValidationError("所属机构已注销，不能登录。", code="org_closed")


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def logout_view(request):
    if request.method == "POST":
        logout(request)
        messages.info(request, "您已安全退出。")
    return redirect("login")


@login_required
def home(request):
    user = request.user
    if user.must_change_password:
        messages.warning(request, "您的密码已由运营机构重置，请先修改密码。")
        return redirect("members:password")
    sections = []
    for fn in DASHBOARD_SECTIONS:
        section = fn(request)
        if section:
            sections.append(section)
    notes = queries.inbox(user, unread_only=True)[:5]
    return render(request, "home.html", {"sections": sections, "notes": notes})


def _read_documents(form) -> dict[str, bytes] | None:
    """The form's uploaded documents read with the size limit; None (errors on the form) if too large."""
    try:
        return {kind: read_limited(f, DOCUMENT_LIMIT, kind) for kind, f in form.document_uploads().items()}
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def register(request):
    """会员网上自助注册 (public), with its documents."""
    form = RegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.RegistrationInput(
            name=d["name"], org_type=d["org_type"], legal_id=d["legal_id"],
            legal_representative=d["legal_representative"], contact_name=d["contact_name"],
            contact_phone=d["contact_phone"], address=d["address"], username=d["username"],
            password=d["password"], display_name=d["display_name"], industry=d["industry"],
            enterprise_size=d["enterprise_size"], capacity_declared=d["capacity_declared"],
        )
        documents = _read_documents(form)
        org = None if documents is None else run_action(form, lambda: actions.register_organisation(None, data, documents))
        if org:
            messages.success(request, f"注册已提交：{org.name}。运营机构审核通过后即可办理业务，现在可以登录查看进度。")
            return redirect("login")
    return render(request, "members/register.html", {"form": form})


@login_required
def review_queue(request):
    require_page_role(request, Role.OPERATOR)
    pending = (Organisation.objects.filter(status=OrgStatus.PENDING).prefetch_related("roles", "documents")
               .select_related("first_reviewed_by").order_by("registered_at"))
    items = [(org, ReviewForm(prefix=f"o{org.pk}"), _review_step(org, request.user)) for org in pending]
    return render(request, "members/review_queue.html", {"items": items})


def _review_step(org: Organisation, user) -> dict:
    """Which step the registration waits for and whether this user may take it (maker ≠ checker)."""
    maker = org.registered_by_id if org.registered_by_id is not None else org.first_reviewed_by_id
    if maker is None:
        return {"stage": "first", "label": "待初审", "allowed": True, "missing": [label(k) for k in _missing(org)]}
    return {"stage": "final", "label": "待复核", "allowed": maker != user.pk, "missing": [label(k) for k in _missing(org)]}


def _missing(org: Organisation) -> list[str]:
    if not documents_needed(org):
        return []
    have = {d.kind for d in org.documents.all()}
    return [k for k in required_documents(org.org_type) if k not in have]


@login_required
@require_POST
def review_submit(request, org_id: int):
    require_page_role(request, Role.OPERATOR)
    form = ReviewForm(request.POST, prefix=f"o{org_id}")
    if form.is_valid():
        d = form.cleaned_data
        step = actions.first_review_registration if request.POST.get("stage") == "first" else actions.review_registration
        review = run_action(form, lambda: step(request.user, org_id, d["decision"], d["method"], d["reason"]))
        if review:
            if review.stage == "first" and review.decision == "approve":
                messages.success(request, f"初审通过：{review.organisation.name}，已转另一名工作人员复核。")
            else:
                messages.success(request, f"已{review.get_stage_display()}：{review.organisation.name} — "
                                          f"{review.get_decision_display()}，已通知申请人。")
            return redirect("members:review_queue")
    for err in form.errors.values():
        messages.error(request, "；".join(err))
    return redirect("members:review_queue")


@login_required
def org_lookup(request):
    """Suggestions for an organisation picker (members.forms.OrganisationPicker): up to 20 active
    organisations of the asked role by name or code. Any signed-in user of an organisation may ask
    (the same names its forms offer; a login without one is refused by the middleware); a natural
    person's ID number is never returned."""
    role = request.GET.get("role") or Role.MEMBER
    if role not in queries.LOOKUP_ROLES:
        return JsonResponse({"error": "role 不正确", "results": []}, status=400)
    return JsonResponse({"results": queries.lookup_organisations(request.GET.get("q") or "", role)})


@login_required
def org_list(request):
    require_page_role(request, Role.OPERATOR, Role.REGULATOR, Role.BUREAU)
    qs = queries.visible_organisations(request.user)
    status = request.GET.get("status") or ""
    q = (request.GET.get("q") or "").strip()
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(legal_id__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "members/org_list.html", {"page": page, "status": status, "q": q, "statuses": OrgStatus.choices})


@login_required
def org_new(request):
    """运营机构现场代为录入."""
    require_page_role(request, Role.OPERATOR)
    form = OperatorRegistrationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = actions.RegistrationInput(
            name=d["name"], org_type=d["org_type"], legal_id=d["legal_id"],
            legal_representative=d["legal_representative"], contact_name=d["contact_name"],
            contact_phone=d["contact_phone"], address=d["address"], username=d["username"] or "",
            password=d["password"] or "", display_name=d["display_name"], roles=tuple(d["roles"]),
            industry=d["industry"], enterprise_size=d["enterprise_size"], capacity_declared=d["capacity_declared"],
        )
        documents = _read_documents(form)
        org = None if documents is None else run_action(form, lambda: actions.register_organisation(request.user, data, documents))
        if org:
            messages.success(request, f"已录入：{org.name}（待审核）")
            return redirect("members:org_detail", org_id=org.pk)
    return render(request, "members/org_new.html", {"form": form})


@login_required
def my_org(request):
    return redirect("members:org_detail", org_id=request.user.organisation_id)


@login_required
def org_detail(request, org_id: int):
    try:
        org = queries.get_visible_organisation(request.user, org_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    user = request.user
    is_operator = user.organisation.has_role(Role.OPERATOR) and user.organisation.status == OrgStatus.ACTIVE
    is_own_manager = user.organisation_id == org.pk and user.position == "manager"
    status_form = StatusForm(prefix="st")
    user_form = UserForm(prefix="u")
    resubmit_form = ResubmitForm(prefix="rs", initial={
        "legal_representative": org.legal_representative, "contact_name": org.contact_name,
        "contact_phone": org.contact_phone, "address": org.address, "industry": org.industry,
        "enterprise_size": org.enterprise_size,
    })
    class_form = ClassificationForm(prefix="cl", initial={"industry": org.industry,
                                                          "enterprise_size": org.enterprise_size, "ownership": org.ownership})
    is_oversight = org.has_role(Role.REGULATOR) or org.has_role(Role.BUREAU)
    dept_form = DepartmentForm(prefix="dp", initial={"department": org.department})
    if request.method == "POST":
        kind = request.POST.get("form")
        done = None
        if kind == "status" and is_operator:
            status_form = StatusForm(request.POST, prefix="st")
            if status_form.is_valid():
                d = status_form.cleaned_data
                done = run_action(status_form, lambda: actions.change_status(user, org.pk, d["action"], d["reason"]))
        elif kind == "user" and (is_operator or is_own_manager):
            user_form = UserForm(request.POST, prefix="u")
            if user_form.is_valid():
                d = user_form.cleaned_data
                done = run_action(user_form, lambda: actions.create_user(user, org.pk, d["username"], d["password"], d["display_name"], d["position"]))
        elif kind == "reset" and is_operator:
            reset_form = ResetPasswordForm(request.POST)
            if reset_form.is_valid():
                d = reset_form.cleaned_data
                if not org.users.filter(pk=d["user_id"]).exists():
                    raise Http404("用户不存在")
                done = run_action(reset_form, lambda: actions.reset_password(user, d["user_id"], d["password"]))
            for err in reset_form.errors.values():
                messages.error(request, "；".join(err))
        elif kind == "classify" and is_operator:
            class_form = ClassificationForm(request.POST, prefix="cl")
            if class_form.is_valid():
                d = class_form.cleaned_data
                done = run_action(class_form, lambda: actions.set_classification(user, org.pk, d["industry"],
                                                                                  d["enterprise_size"], d["ownership"]))
        elif kind == "department" and is_operator:
            dept_form = DepartmentForm(request.POST, prefix="dp")
            if dept_form.is_valid():
                done = run_action(dept_form, lambda: actions.set_department(user, org.pk, dept_form.cleaned_data["department"]))
        elif kind == "resubmit" and is_own_manager:
            resubmit_form = ResubmitForm(request.POST, request.FILES, prefix="rs")
            if resubmit_form.is_valid():
                documents = _read_documents(resubmit_form)
                changes = {k: v for k, v in resubmit_form.cleaned_data.items() if k not in DocumentKind.values}
                if documents is not None:
                    done = run_action(resubmit_form, lambda: actions.resubmit_registration(user, changes, documents))
        else:
            raise Http404("页面不存在")
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("members:org_detail", org_id=org.pk)
    users = list(queries.visible_users(user, org))
    return render(request, "members/org_detail.html", {
        "org": org,
        "users": users,
        "locked": queries.locked_usernames([u.username for u in users]),
        "reviews": org.reviews.select_related("reviewer")[:20],
        "documents": org.documents.all(),
        "missing_documents": [label(k) for k in _missing(org)],
        "is_operator": is_operator,
        "is_own_manager": is_own_manager,
        "status_form": status_form,
        "user_form": user_form,
        "resubmit_form": resubmit_form,
        "class_form": class_form,
        "dept_form": dept_form if is_oversight else None,
    })


@login_required
def inbox(request):
    notes = Paginator(queries.inbox(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "members/inbox.html", {"page": notes})


@login_required
@require_POST
def inbox_ack(request, note_id: int):
    try:
        actions.acknowledge(request.user, note_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "members:inbox"
    return redirect(target)


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    created_text = None
    if request.method == "POST" and form.is_valid():
        res = run_action(form, lambda: actions.issue_api_token(request.user, form.cleaned_data["name"], form.cleaned_data["scope"]))
        if res:
            created_text = res[1]
            form = TokenForm()
    items = ApiToken.objects.filter(user=request.user).order_by("-id")
    return render(request, "members/tokens.html", {"form": form, "items": items, "created_text": created_text})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        actions.revoke_api_token(request.user, token_id)
        messages.success(request, "令牌已撤销。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("members:tokens")


@login_required
def password(request):
    form = ChangePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = run_action(form, lambda: actions.change_own_password(request.user, d["old_password"], d["new_password"]))
        if user:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。")
            return redirect("home")
    return render(request, "members/password.html", {"form": form})


@login_required
def document(request, org_id: int, doc_id: int):
    """A registration document: for the applicant organisation's users and operator/oversight roles;
    anyone else gets 404 (whether it exists is not told)."""
    try:
        org = queries.get_visible_organisation(request.user, org_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    doc = RegistrationDocument.objects.filter(organisation=org, pk=doc_id).first()
    if doc is None:
        raise Http404("证件不存在")
    return FileResponse(default_storage.open(doc.file, "rb"), content_type=doc.content_type,
                        filename=f"{doc.get_kind_display()}-{org.pk}.{doc.file.rsplit('.', 1)[-1]}")
