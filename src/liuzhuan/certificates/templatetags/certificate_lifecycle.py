"""Panels on the certificate and piece pages (pledge, reservations, purchase commitments, maturity
and extension rule), so those pages need only one tag each."""

from __future__ import annotations

from django import template

from liuzhuan.core.roles import Role
from liuzhuan.members.queries import sees_all

from ..holdings.queries import piece_panel
from ..ledger.models import CertificateStatus, PieceStatus
from ..ledger.queries import can_see_certificate
from ..purchase.queries import commitments_on

register = template.Library()


@register.inclusion_tag("certificates/holdings/_piece_panel.html")
def piece_lifecycle(piece, user):
    is_holder = piece.holder_id == user.organisation_id
    return {"piece": piece, "panel": piece_panel(piece), "is_holder": is_holder,
            "can_act": is_holder and piece.status == PieceStatus.LIVE and piece.certificate.status == CertificateStatus.ACTIVE}


@register.inclusion_tag("certificates/holdings/_cert_panel.html")
def certificate_lifecycle(cert, user):
    org = user.organisation
    party = can_see_certificate(user, cert) and not sees_all(user)
    return {
        "cert": cert, "app": cert.application, "commitments": commitments_on(cert), "extensions": list(cert.extensions.all()),
        "can_entrust": party and cert.status == CertificateStatus.ACTIVE,
        "can_void": org.has_role(Role.OPERATOR) and cert.status == CertificateStatus.ACTIVE,
    }
