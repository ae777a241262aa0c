"""Applications a user may see, and the operator's review queue."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from liuzhuan.members.models import User
from liuzhuan.members.queries import sees_all

from .models import Application, ApplicationStatus


def visible_applications(user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related("creditor", "debtor", "certificate")
    if sees_all(user):
        return qs
    return qs.filter(Q(creditor_id=user.organisation_id) | Q(debtor_id=user.organisation_id))


def review_queue() -> QuerySet[Application]:
    return Application.objects.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.PREPARED]).select_related(
        "creditor", "debtor", "prepared_by").order_by("id")
