"""Open transfer offers, received and sent."""

from __future__ import annotations

from django.db.models import QuerySet

from ..ledger.models import OfferStatus, Transfer


def offers_in(org_id: int) -> QuerySet[Transfer]:
    return Transfer.objects.filter(to_org_id=org_id, status=OfferStatus.OFFERED).select_related("piece__certificate", "from_org")


def offers_out(org_id: int) -> QuerySet[Transfer]:
    return Transfer.objects.filter(from_org_id=org_id, status=OfferStatus.OFFERED).select_related("piece__certificate", "to_org")
