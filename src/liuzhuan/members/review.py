"""会员注册审核. An online registration is reviewed by two operator users: the first review (初审,
the maker) and the final review (复核, the checker, another user). A registration entered at the
counter already has its maker (``registered_by``) and goes straight to the final review.

Either step may reject or ask for more material, which ends the review and tells the registrant;
only the final review activates the organisation.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.permissions import require_checker, require_role
from liuzhuan.core.roles import Role

from .documents import documents_needed, label, missing_documents
from .identity import check_full_capacity
from .models import (
    Organisation,
    OrgStatus,
    OrgType,
    RegistrationReview,
    ReviewDecision,
    ReviewMethod,
    ReviewStage,
    User,
)
from .notices import notify, notify_role

_OUTCOME = {
    ReviewDecision.APPROVE: OrgStatus.ACTIVE,
    ReviewDecision.REJECT: OrgStatus.REJECTED,
    ReviewDecision.REQUEST_INFO: OrgStatus.NEEDS_INFO,
}


def _check_input(actor: User, decision: str, method: str, reason: str) -> str:
    require_role(actor, Role.OPERATOR)
    if decision not in ReviewDecision.values:
        raise DomainError("decision_invalid", "审核结论不正确", field="decision")
    if method not in ReviewMethod.values:
        raise DomainError("method_invalid", "请选择审核方式（现场或网络）", field="method")
    reason = (reason or "").strip()
    if decision != ReviewDecision.APPROVE and not reason:
        raise DomainError("reason_required", "不通过或要求补充材料时必须填写意见", field="reason")
    return reason


def _lock_pending(actor: User, org_id: int) -> Organisation:
    org = Organisation.objects.select_for_update(no_key=True).filter(pk=org_id).first()
    if org is None:
        raise NotFound("机构不存在")
    if org.pk == actor.organisation_id:
        raise PermissionDenied("不能审核本机构的注册", code="self_review")
    return org


def _check_pending(org: Organisation) -> None:
    if org.status != OrgStatus.PENDING:
        raise DomainError("not_pending", f"该机构当前状态为“{org.get_status_display()}”，不在待审核状态")


def _check_approvable(org: Organisation) -> None:
    """Approval re-checks the age on the business date (a registration can wait), the declaration
    and the documents. Registrations made before either was asked for lack them: ask for more
    material, and the registrant declares and uploads when resubmitting."""
    check_full_capacity(org.org_type, org.legal_id, today_china())
    if org.org_type == OrgType.PERSON and org.capacity_declared_at is None:
        raise DomainError("capacity_declaration_required", "该自然人尚未声明具备完全民事行为能力，请要求补充材料后由本人声明",
                          field="capacity_declared")
    if documents_needed(org):
        missing = missing_documents(org)
        if missing:
            raise DomainError("documents_missing", f"该注册未上传{'、'.join(label(k) for k in missing)}，请要求补充材料后由申请人上传",
                              field=missing[0])


def _decide(actor: User, org: Organisation, stage: str, decision: str, method: str, reason: str) -> RegistrationReview:
    before = org.status
    review = RegistrationReview.objects.create(organisation=org, stage=stage, decision=decision, method=method, reason=reason,
                                               reviewer=actor)
    if stage == ReviewStage.FIRST and decision == ReviewDecision.APPROVE:
        org.first_reviewed_by = actor
        org.first_reviewed_at = timezone.now()
        org.save(update_fields=["first_reviewed_by", "first_reviewed_at"])
    else:
        org.status = _OUTCOME[ReviewDecision(decision)]
        org.status_reason = reason
        org.save(update_fields=["status", "status_reason"])
    audit.record(actor, "member.first_review" if stage == ReviewStage.FIRST else "member.review", org, summary={
        "before": {"status": before}, "after": {"status": org.status}, "decision": decision, "method": method,
        "reason": reason, "stage": stage})
    if org.status != before:
        step = "初审" if stage == ReviewStage.FIRST else "复核"
        notify(org, f"会员注册{step}结果：{review.get_decision_display()}", reason or "您的会员注册已审核通过。", obj=org)
    else:
        notify_role(Role.OPERATOR, "会员注册待复核", f"{org.name} 的注册已由 {actor} 初审通过，请另一人复核。", obj=org)
    return review


def first_review_registration(actor: User, org_id: int, decision: str, method: str, reason: str = "") -> RegistrationReview:
    """初审 of an online registration: passing it hands it to the final review; rejecting it or
    asking for more material ends the review and tells the registrant."""
    reason = _check_input(actor, decision, method, reason)
    with transaction.atomic():
        org = _lock_pending(actor, org_id)
        _check_pending(org)
        if org.registered_by_id is not None:
            raise DomainError("counter_registration", "现场录入的注册由录入人经办，直接复核即可")
        if org.first_reviewed_by_id is not None:
            raise DomainError("already_first_reviewed", "该注册已通过初审，等待复核")
        if decision == ReviewDecision.APPROVE:
            _check_approvable(org)
        return _decide(actor, org, ReviewStage.FIRST, decision, method, reason)


def review_registration(actor: User, org_id: int, decision: str, method: str, reason: str = "") -> RegistrationReview:
    """复核 (final review): approve, reject with reason, or ask for more material. The checker is not
    the maker — the first reviewer of an online registration, the clerk who entered a counter one."""
    reason = _check_input(actor, decision, method, reason)
    with transaction.atomic():
        org = _lock_pending(actor, org_id)
        _check_pending(org)
        maker = org.registered_by_id if org.registered_by_id is not None else org.first_reviewed_by_id
        if maker is None:
            raise DomainError("first_review_required", "网上注册须先由一人初审，再由另一人复核")
        require_checker(maker, actor)
        if decision == ReviewDecision.APPROVE:
            _check_approvable(org)
        return _decide(actor, org, ReviewStage.FINAL, decision, method, reason)
