"""Applications a user may see, and the operator's review queue."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse

from liuzhuan.core.errors import NotFound, PermissionDenied
from liuzhuan.core.roles import Role
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import Application, ApplicationStatus, Attachment, ReviewCheck


def visible_applications(user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related("creditor", "debtor", "certificate")
    if sees_all(user):
        return qs
    return qs.filter(Q(creditor_id=user.organisation_id) | Q(debtor_id=user.organisation_id))


def with_review_facts(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Lists: the document count and the current checklist in two queries, not two per row."""
    current = ReviewCheck.objects.filter(superseded_at__isnull=True).select_related("checked_by__organisation")
    return qs.annotate(attachment_total=Count("attachments")).prefetch_related(
        Prefetch("checks", queryset=current, to_attr="current_checks"))


def review_queue() -> QuerySet[Application]:
    waiting = Application.objects.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.PREPARED])
    return with_review_facts(waiting).select_related("creditor", "debtor", "prepared_by").order_by("id")


def contract_document(user: User, app_id: int, attachment_id: int) -> Attachment:
    """A contract document to open: for the operator's reviewers and the two parties only. Another
    member does not learn it exists (not found); the regulator and the bureau, who see the
    application, do not get the contract itself (forbidden)."""
    app = visible_applications(user).filter(pk=app_id).first()
    att = app.attachments.filter(pk=attachment_id).first() if app is not None else None
    if att is None:
        raise NotFound("附件不存在")
    org = user.organisation
    if org.pk not in (app.creditor_id, app.debtor_id) and not org.has_role(Role.OPERATOR):
        raise PermissionDenied("基础合同文件仅供运营机构审核人员和申请双方查阅", code="contract_not_for_you")
    return att


def open_document(att: Attachment):
    """A streaming response of the stored file, offered as a download under its original name."""
    resp = FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name, content_type=att.content_type)
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
