"""Who sees which pledge; the pledgee's book (质权人视图); transfer requests on a pledge."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Sum

from liuzhuan.core.errors import NotFound
from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import Pledge, PledgedTransfer, PledgeStatus


def visible_pledges(user: User) -> QuerySet[Pledge]:
    qs = Pledge.objects.select_related("certificate", "piece", "pledgor", "pledgee", "certificate__debtor", "enforcement")
    if sees_all(user):
        return qs
    return qs.filter(Q(pledgor_id=user.organisation_id) | Q(pledgee_id=user.organisation_id))


def pledges_to(org_id: int) -> QuerySet[Pledge]:
    """Everything pledged to a bank (质权人视图), open ones first."""
    return Pledge.objects.filter(pledgee_id=org_id).select_related("certificate", "piece", "pledgor", "certificate__debtor").order_by(
        "-status", "-id")


def pledge_book_totals(org_id: int) -> dict:
    rows = dict(Pledge.objects.filter(pledgee_id=org_id).values("status").annotate(t=Sum("amount_fen")).values_list("status", "t"))
    return {"effective_fen": rows.get(PledgeStatus.EFFECTIVE, 0) or 0,
            "pending_fen": rows.get(PledgeStatus.PENDING_REGISTRATION, 0) or 0,
            "secured_fen": Pledge.objects.filter(pledgee_id=org_id, status=PledgeStatus.EFFECTIVE).aggregate(t=Sum("secured_fen"))["t"] or 0}


def get_pledge(user: User, pledge_id: int) -> Pledge:
    p = visible_pledges(user).filter(pk=pledge_id).first()
    if p is None:
        raise NotFound("质押不存在")
    return p


def pledged_transfers(pledge: Pledge) -> QuerySet[PledgedTransfer]:
    return pledge.transfer_requests.select_related("to_org", "transfer").order_by("-id")


def visible_pledged_transfers_in(org_id: int) -> QuerySet[PledgedTransfer]:
    return PledgedTransfer.objects.filter(to_org_id=org_id, status="consented").select_related("pledge", "pledge__pledgor")
