"""Who sees which offset; the assets a debtor may offer (its own and the housing pool)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from liuzhuan.core.errors import NotFound
from liuzhuan.core.roles import Role
from liuzhuan.members.models import OrgStatus, User
from liuzhuan.members.queries import sees_all

from .models import AssetStatus, OffsetApplication, OffsetAsset


def visible_offsets(user: User) -> QuerySet[OffsetApplication]:
    qs = OffsetApplication.objects.select_related("certificate", "piece", "holder", "debtor", "asset")
    if sees_all(user):
        return qs
    return qs.filter(Q(holder_id=user.organisation_id) | Q(debtor_id=user.organisation_id))


def get_offset(user: User, offset_id: int) -> OffsetApplication:
    o = visible_offsets(user).select_related("certificate__application").filter(pk=offset_id).first()  # its agreed scope
    if o is None:
        raise NotFound("抵付申请不存在")
    return o


def own_assets(org_id: int) -> QuerySet[OffsetAsset]:
    return OffsetAsset.objects.filter(owner_id=org_id).order_by("status", "id")


def eligible_pool(debtor_id: int):
    """The debtor's own available assets and the housing pool (存量房盘活主体的房源)."""
    return OffsetAsset.objects.filter(status=AssetStatus.AVAILABLE).filter(
        Q(owner_id=debtor_id) | Q(owner__roles__role=Role.HOUSING, owner__status=OrgStatus.ACTIVE)).distinct()


def eligible_assets(debtor_id: int) -> QuerySet[OffsetAsset]:
    return eligible_pool(debtor_id).select_related("owner").order_by("id")


def available_assets_count(org_id: int) -> int:
    return OffsetAsset.objects.filter(owner_id=org_id, status=AssetStatus.AVAILABLE).count()
