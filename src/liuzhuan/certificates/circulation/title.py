"""How title passes (流转变更登记): one registration number, the fee, the notice to the debtor.

An accepted transfer offer registers this way (actions.accept_offers, in bulk); so do a pledge
enforced or transferred with the pledgee's consent, and a sale under a purchase commitment,
through ``pass_title``.
"""

from __future__ import annotations

from django.utils import timezone

from liuzhuan.core.dates import today_china
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.members.actions import Notice, notice, notify_all
from liuzhuan.members.models import Organisation, User

from ..fees.charges import agreed_term, charge_fee
from ..ledger.models import Certificate, OfferStatus, Piece, PieceStatus, Transfer
from ..ledger.pieces import new_piece
from ..ledger.rules import refuse_debtor, require_not_legacy


def pass_title(actor: User, cert: Certificate, piece: Piece, to_org: Organisation, *, origin: str, agreement_ref: str,
               op_type: str, why: str) -> Transfer:
    """End ``piece`` and give its whole amount to ``to_org`` as a new live piece, recorded as a
    流转变更登记 (registration number, fee, debtor notified) exactly like an accepted transfer."""
    refuse_debtor(cert.debtor_id, to_org.pk, "to_org_id")  # every path checks first; this is the last guard
    require_not_legacy(cert, "流转")
    today = today_china()
    now = timezone.now()
    from_org = piece.holder
    piece.status = PieceStatus.TRANSFERRED
    piece.ended_at = now
    piece.save(update_fields=["status", "ended_at"])
    new = new_piece(cert, parent=piece, holder=to_org, amount_fen=piece.amount_fen, status=PieceStatus.LIVE, origin=origin)
    cert.save(update_fields=["piece_count"])
    # no contract term is entered on these paths: the schedule's default is recorded and followed
    payer, share = agreed_term(op_type, today, None)
    t = Transfer.objects.create(
        piece=piece, from_org=from_org, to_org=to_org, amount_fen=piece.amount_fen, agreement_ref=agreement_ref[:100],
        status=OfferStatus.ACCEPTED, offered_by=actor, offered_at=now, deadline=today, decided_by=actor, decided_at=now,
        registration_no=next_number("BG", today.year), new_piece=new, fee_payer=payer, fee_share_pct=share,
    )
    t.fee_fen = charge_fee(op_type, cert, base_fen=t.amount_fen, payer_a=from_org, payer_b=to_org,
                           reference=t.registration_no, today=today, transfer=t,
                           term=(payer, share))
    t.save(update_fields=["fee_fen"])
    notify_all([debtor_notice(cert, t, from_org.name, to_org.name, why)])
    return t


def debtor_notice(cert: Certificate, registration: Transfer, from_name: str, to_name: str, why: str = "") -> Notice:
    """The notice of assignment to the debtor (债权转让通知), one per registration, to acknowledge."""
    basis = f"{registration.registration_no}（{why}）" if why else registration.registration_no
    return notice(cert.debtor_id, f"债权转让通知：凭证 {cert.number}", (
        f"依据流转变更登记 {basis}，{from_name} 已将凭证 {cert.number} 项下债权 {format_yuan(registration.amount_fen)} "
        f"转让给 {to_name}。债务人的清偿义务及方式不变，请向新持有人履行。"
    ), obj=registration, kind="transfer_notice", requires_ack=True)
