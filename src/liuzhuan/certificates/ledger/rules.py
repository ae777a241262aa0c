"""The rules every operation on a piece obeys, whatever the business (pure: no Django import).

Only a live piece moves: a pledged piece (质押), or one reserved for an offset (抵付) or a sale to a
purchase-commitment provider (收购), is frozen until that business ends, and every action that
would transfer, split, pledge, offset or sell it is refused here, by ``require_live``. Statuses
are compared by their stored values (``PieceStatus`` and ``CertificateStatus`` in models.py).
"""

from __future__ import annotations

from liuzhuan.core.errors import Conflict, DomainError
from liuzhuan.core.money import format_yuan

#: holding statuses that freeze a piece, with the rule each refusal names
FROZEN_RULES = {
    "pledged": ("piece_pledged", "已质押，未经质权人同意不得转让、抵付或抵销"),
    "offsetting": ("piece_reserved_offset", "已申请抵付并被锁定，抵付完成或撤回前不能办理其他业务"),
    "selling": ("piece_reserved_sale", "已申请收购并被锁定，收购完成或撤回前不能办理其他业务"),
}


def require_live(piece) -> None:
    """Only a live piece moves; a frozen one is refused with the rule of the business holding it."""
    if piece.status != "live":
        if piece.status in FROZEN_RULES:
            code, rule = FROZEN_RULES[piece.status]
            raise Conflict(code, f"凭证分段 {piece.number} {rule}")
        raise Conflict("piece_not_live", f"凭证分段 {piece.number} 当前状态为“{piece.get_status_display()}”，不能办理")


def require_active_certificate(cert, what: str) -> None:
    if cert.status != "active":
        raise DomainError("certificate_inactive", f"凭证 {cert.number} 当前状态为“{cert.get_status_display()}”，不能{what}")


def require_not_legacy(cert, what: str) -> None:
    """存量业务 (seed 六（三）「…不得新增；存量业务须依法依规妥善处置至完结」): a certificate recorded as
    business predating the plan is wound down — offset, paid, cancelled or voided — never moved on:
    no transfer (nor the split a partial transfer makes), pledge or purchase."""
    if cert.legacy:
        raise DomainError("certificate_legacy", f"凭证 {cert.number} 为方案发布前的存量业务，不得新增{what}；"
                          "只能以抵付、清偿或注销方式处置至完结")


def check_part(piece, amount_fen: int | None, min_unit: int, what: str) -> None:
    """The whole piece, or a part of at least the minimum unit (the remainder: ``split_rows``)."""
    if amount_fen is None or amount_fen <= 0:
        raise DomainError("amount_not_positive", f"{what}金额必须大于零", field="amount_fen")
    if amount_fen > piece.amount_fen:
        raise DomainError("amount_exceeds_available",
                          f"{what}金额 {format_yuan(amount_fen)} 超过该分段可用金额 {format_yuan(piece.amount_fen)}", field="amount_fen")
    if amount_fen < piece.amount_fen and amount_fen < min_unit:
        raise DomainError("amount_below_min", f"{what}金额 {format_yuan(amount_fen)} 低于最小拆分单位 {format_yuan(min_unit)}", field="amount_fen")


def refuse_debtor(debtor_id: int, to_org_id: int, field: str | None, what: str = "受让") -> None:
    """混同: a claim that reaches its own debtor ends (《民法典》第五百七十六条), and this one is to be
    settled in assets or consumption, never bought back for cash; so the debtor never takes title to
    a piece of its own certificate. It settles through an offset (抵付) instead."""
    if to_org_id == debtor_id:
        raise DomainError("transferee_is_debtor", f"债务人不能{what}本凭证项下债权：债权债务同归一人即告终止（《民法典》第五百七十六条），"
                          "债务人清偿请通过资产或消费抵付办理", field=field)


#: the situations (约定情形) an extension clause may make the automatic extension depend on; each
#: must hold on the maturity day for the unpaid pieces to be extended (maturity/actions.py)
EXTENSION_CONDITIONS = {
    "applied": "债务人于到期日（含）前提出展期申请",
    "no_dispute": "到期日（含）前无持有人对展期提出异议",
    "debtor_not_in_default": "债务人无其他逾期未清偿的凭证",
}


def extension_conditions(codes) -> list[str]:
    """The clause's conditions in a fixed order; an unknown code is refused."""
    codes = list(codes or ())
    for code in codes:
        if code not in EXTENSION_CONDITIONS:
            raise DomainError("extension_condition_invalid", f"展期情形“{code}”不存在", field="extension_conditions")
    return [c for c in EXTENSION_CONDITIONS if c in codes]

