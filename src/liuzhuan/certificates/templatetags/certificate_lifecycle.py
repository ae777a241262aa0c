"""Panels on the certificate and piece pages (pledge, reservations, purchase commitments, maturity
and extension rule), so those pages need only one tag each."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from liuzhuan.core.dates import today_china
from liuzhuan.core.roles import Role
from liuzhuan.members.queries import sees_all

from ..holdings.queries import piece_panel
from ..ledger.models import HOLDING_STATUSES, CertificateStatus, PieceStatus
from ..ledger.queries import can_see_certificate
from ..maturity.rules import overdue_as_of
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


def certificate_overdue(cert, today=None) -> bool:
    """An active certificate past its maturity with no extension left, whether or not the daily
    batch has marked it yet (lists select ``application`` with the certificate)."""
    if cert.status != CertificateStatus.ACTIVE:
        return False
    app = cert.application
    return overdue_as_of(cert.maturity_date, today or today_china(), recorded=cert.overdue_since, extension_days=app.extension_days,
                         extension_max=app.extension_max, extensions_used=cert.extension_count) is not None


@register.simple_tag
def certificate_status(cert):
    """The status badge of a certificate in a list: 逾期 instead of 有效 once it is overdue."""
    if certificate_overdue(cert):
        return format_html('<span class="status status-overdue">{}</span>', "逾期")
    return format_html('<span class="status status-{}">{}</span>', cert.status, cert.get_status_display())


@register.simple_tag
def piece_status(piece):
    """The status badge of a piece in a list: a held piece of an overdue certificate shows 逾期."""
    if piece.status in HOLDING_STATUSES and certificate_overdue(piece.certificate):
        label = "逾期" if piece.status == PieceStatus.LIVE else f"{piece.get_status_display()}（逾期）"
        return format_html('<span class="status status-overdue">{}</span>', label)
    return format_html('<span class="status status-{}">{}</span>', piece.status, piece.get_status_display())


@register.simple_tag
def legacy_badge(cert):
    """存量 beside a certificate's or piece's number: pre-policy business, only wound down (六（三））."""
    if not cert.legacy:
        return ""
    return format_html('<span class="status status-legacy" title="{}">存量</span>', "方案发布前的存量业务，只能处置至完结")
