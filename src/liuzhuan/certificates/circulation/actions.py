"""Circulation (流转): transfer offers of a piece, whole or in part, one at a time or in a batch;
the transferee accepts (title passes: title.py), declines, or lets the offer lapse; the
transferor may cancel. Each action runs in one transaction; a ``DomainError`` means nothing changed.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_numbers
from liuzhuan.core.sql import (
    build,
    columns,
    fetch,
    for_update,
    in_list,
    insert_objects,
    insert_rows,
    keys,
    load,
    update_objects,
)
from liuzhuan.members.actions import notice, notify, notify_all
from liuzhuan.members.models import Organisation, User

from ..fees.charges import FEE_FIELDS, agreed_term, fee_rows, fee_rule_on, stored_term
from ..fees.models import FeeCharge, OperationType
from ..ledger.checks import Party, member_actor, standing_errors
from ..ledger.locks import lock_certificates, lock_pieces
from ..ledger.models import Certificate, OfferStatus, Piece, PieceStatus, Transfer
from ..ledger.pieces import piece_row, save_piece_counts, set_piece_status, split_rows, unfreeze, write_splits
from ..ledger.queries import transfer_config
from ..ledger.rules import check_part, refuse_debtor, require_live, require_not_legacy
from .title import debtor_notice

#: the most transfers one batch call may carry (larger supplier lists go in several calls)
MAX_BATCH = 500


@dataclass(frozen=True)
class OfferItem:
    piece_id: int
    to_org_id: int
    amount_fen: int
    agreement_ref: str
    fee_payer: str | None = None  # the transfer contract's fee term; blank: the schedule's default
    fee_share_pct: Decimal | str | None = None
    managed_by: str = ""  # the business that alone decides the offer (see _lock_offers)


@contextmanager
def _item(index: int, batch: bool, name: str = "items"):
    """In a batch, an error names the item: "第 3 笔：…" with field ``items[2].amount_fen``."""
    try:
        yield
    except DomainError as exc:
        if batch:
            exc.message = f"第 {index + 1} 笔：{exc.message}"
            exc.args = (exc.message,)
            exc.field = f"{name}[{index}].{exc.field}" if exc.field else f"{name}[{index}]"
        raise


def _check_batch_size(n: int, field: str, empty_message: str) -> None:
    if n == 0:
        raise DomainError("batch_empty", empty_message, field=field)
    if n > MAX_BATCH:
        raise DomainError("batch_too_large", f"一次最多办理 {MAX_BATCH} 笔，本次 {n} 笔，请分批提交", field=field)


def offer_transfer(actor: User, piece_id: int, to_org_id: int, amount_fen: int, agreement_ref: str,
                   managed_by: str = "") -> Transfer:
    """转让: offer a piece whole or in part; the offered amount is reserved until the transferee decides.
    ``managed_by`` names another package's business paying with this offer (a merchant's order):
    only that business may then accept, decline or withdraw it."""
    return offer_transfers(actor, [OfferItem(piece_id, to_org_id, amount_fen, agreement_ref, managed_by=managed_by)])[0]


def offer_transfers(actor: User, items: list[OfferItem]) -> list[Transfer]:
    """批量转让: several offers in one atomic step, e.g. paying many suppliers out of one piece.

    Items may draw several parts from the same piece: it is split once into the offered parts
    (in item order) and a live remainder. All or nothing: the first bad item refuses the whole
    batch, and the message names it ("第 3 笔：…", field ``items[2].amount_fen``).
    """
    org = member_actor(actor)
    items = list(items)
    _check_batch_size(len(items), "items", "请至少填写一笔转让")
    batch = len(items) > 1
    piece_ids = keys(i.piece_id for i in items)
    # by primary key only, the holder compared here: a planner that chose the holder index instead
    # would walk every piece the member ever held
    held, debtor_of = {}, {}
    for pk, cert_id, holder_id, debtor_id in fetch(
            "SELECT p.id, p.certificate_id, p.holder_id, c.debtor_id FROM certificates_piece p "  # noqa: S608
            f"JOIN certificates_certificate c ON c.id = p.certificate_id WHERE p.id IN {in_list(piece_ids)}", piece_ids):
        if holder_id == org.pk:
            held[pk], debtor_of[pk] = cert_id, debtor_id
    refs, terms = [], []
    today = today_china()
    for n, item in enumerate(items):
        with _item(n, batch):
            if item.piece_id not in held:  # before any validation: outsiders learn nothing
                raise NotFound("凭证分段不存在")
            ref = (item.agreement_ref or "").strip()
            if not ref:
                raise DomainError("agreement_required", "请填写债权转让协议编号", field="agreement_ref")
            if len(ref) > 100:
                raise DomainError("agreement_too_long", "转让协议编号不能超过100个字", field="agreement_ref")
            if not ref.isprintable():
                raise DomainError("agreement_invalid", "转让协议编号不能含有控制字符", field="agreement_ref")
            if item.amount_fen <= 0:
                raise DomainError("amount_not_positive", "转让金额必须大于零", field="amount_fen")
            if item.to_org_id == org.pk:
                raise DomainError("transfer_to_self", "不能转让给本机构", field="to_org_id")
            terms.append(agreed_term(OperationType.TRANSFER, today, item.fee_payer, item.fee_share_pct))
            refs.append(ref)
    refusals = standing_errors("受让", [Party(i.to_org_id, "受让方", "to_org_id", chosen=True, code="transferee_unavailable") for i in items])
    for n, item in enumerate(items):
        with _item(n, batch):
            if refusals[n] is not None:  # one message for unknown, inactive and non-member: ids reveal nothing
                raise refusals[n]
            refuse_debtor(debtor_of[item.piece_id], item.to_org_id, "to_org_id")  # a certificate's debtor never changes
    min_unit, offer_days = transfer_config()
    deadline = today + dt.timedelta(days=offer_days)
    by_piece: dict[int, list[int]] = {}
    for n, item in enumerate(items):
        by_piece.setdefault(item.piece_id, []).append(n)
    with transaction.atomic():
        now = timezone.now()
        certs = lock_certificates(held.values())  # certificate, then pieces: the order every action uses
        pieces = lock_pieces(by_piece)
        offered: list[Piece | None] = [None] * len(items)
        remainder_of: dict[int, Piece] = {}
        whole, split, created, grown = [], [], [], {}
        for piece_id, idxs in by_piece.items():
            piece, cert = pieces[piece_id], certs[held[piece_id]]
            with _item(idxs[0], batch):
                if piece.holder_id != org.pk:  # changed between the two reads
                    raise NotFound("凭证分段不存在")
                require_live(piece)
                if cert.status != "active":
                    raise DomainError("certificate_inactive", f"凭证 {cert.number} 当前状态为“{cert.get_status_display()}”，不能转让")
                require_not_legacy(cert, "转让")
                if len(idxs) == 1:
                    check_part(piece, items[idxs[0]].amount_fen, min_unit, "转让")
            if len(idxs) == 1 and items[idxs[0]].amount_fen == piece.amount_fen:  # whole piece: reserved as it is
                piece.status = PieceStatus.OFFERED
                whole.append(piece)
                offered[idxs[0]] = piece
                continue
            total = 0
            for n in idxs if len(idxs) > 1 else ():  # several parts of one piece: together within it, each a valid part
                total += items[n].amount_fen
                with _item(n, batch):
                    if total > piece.amount_fen:
                        raise DomainError("amount_exceeds_available", f"本批从该分段转让合计 {format_yuan(total)} 超过该分段可用金额 "
                                          f"{format_yuan(piece.amount_fen)}", field="amount_fen")
                    check_part(piece, items[n].amount_fen, min_unit, "转让")
            with _item(idxs[-1], batch):
                parts, rest = split_rows(cert, piece, [items[n].amount_fen for n in idxs], status=PieceStatus.OFFERED,
                                         min_unit=min_unit, now=now)
            split.append(piece)
            grown[cert.pk] = cert
            for n, part in zip(idxs, parts, strict=True):
                offered[n] = part
            created += [*parts, rest]
            if rest:
                remainder_of[piece_id] = rest
        set_piece_status(whole, PieceStatus.LIVE, PieceStatus.OFFERED)  # the rows must still be live: the last guard
        write_splits(split, created, grown.values())
        offers = [
            build(Transfer, piece=offered[n], from_org=org, to_org_id=item.to_org_id, amount_fen=item.amount_fen,
                  agreement_ref=refs[n], offered_by=actor, offered_at=now, deadline=deadline, fee_payer=terms[n][0],
                  fee_share_pct=terms[n][1], managed_by=item.managed_by[:60])
            for n, item in enumerate(items)
        ]
        insert_objects(offers)
        cert_no = {offer.pk: certs[held[item.piece_id]].number for item, offer in zip(items, offers, strict=True)}
        notices = []
        for group in _grouped(offers, "to_org_id"):
            if len(group) == 1:
                offer = group[0]
                notices.append(notice(offer.to_org_id, f"收到凭证转让：{format_yuan(offer.amount_fen)}",
                                      f"{org.name} 向贵机构转让凭证 {cert_no[offer.pk]} 项下债权 "
                                      f"{format_yuan(offer.amount_fen)}（服务费付费方：{offer.fee_term_label}），请于 {deadline:%Y-%m-%d} 前接收或拒收。",
                                      obj=offer))
            else:  # one notice per transferee for a batch, not one per line
                total = format_yuan(sum(o.amount_fen for o in group))
                numbers = "、".join(sorted({cert_no[o.pk] for o in group}))
                notices.append(notice(group[0].to_org_id, f"收到 {len(group)} 笔凭证转让：合计 {total}",
                                      f"{org.name} 向贵机构转让 {len(group)} 笔凭证债权，合计 {total}（凭证 {numbers}），"
                                      f"请于 {deadline:%Y-%m-%d} 前逐笔或批量接收、拒收。", kind="transfer_batch"))
        notify_all(notices)
        # the audit head is the last lock an action takes (see record_many)
        audit.record_many(actor, [audit.entry("piece.offer", offer, {
            "piece": pieces[item.piece_id].number, "offered_piece": offer.piece.number,
            "remainder_piece": remainder_of[item.piece_id].number if item.piece_id in remainder_of else None,
            "amount_fen": item.amount_fen, "to": item.to_org_id, "agreement_ref": offer.agreement_ref, "deadline": deadline.isoformat(),
            "fee_payer": offer.fee_payer, "fee_share_pct": str(offer.fee_share_pct),
        }) for item, offer in zip(items, offers, strict=True)])
        return offers


def _grouped(offers: list[Transfer], attr: str) -> list[list[Transfer]]:
    """Offers grouped by a counterparty id, groups in first-seen order."""
    groups: dict[int, list[Transfer]] = {}
    for offer in offers:
        groups.setdefault(getattr(offer, attr), []).append(offer)
    return list(groups.values())


def _lock_offers(transfer_ids: list[int], org: Organisation, side: str, batch: bool = False,
                 managed: bool = False) -> tuple[dict[int, Certificate], list[Transfer]]:
    """Lock the offers' certificates (pk order), then the offers with their pieces; all must be
    open, and an offer another business manages (``managed_by``) is decided only by that business
    (``managed=True``): a merchant's order, say, could otherwise be paid without being settled."""
    column = "to_org_id" if side == "to" else "from_org_id"
    ids = keys(transfer_ids)
    cert_of = {pk: cert_id for pk, cert_id, party in fetch(  # by primary key, the party compared here (as for pieces)
        f"SELECT t.id, p.certificate_id, t.{column} FROM certificates_transfer t JOIN certificates_piece p ON p.id = t.piece_id "  # noqa: S608
        f"WHERE t.id IN {in_list(ids)}", ids) if party == org.pk}
    for n, transfer_id in enumerate(transfer_ids):
        if transfer_id not in cert_of:
            with _item(n, batch, "transfer_ids"):
                raise NotFound("转让不存在")
    certs = lock_certificates(cert_of.values())  # certificates, then transfers, then pieces
    sql = f"SELECT {columns(Transfer)} FROM certificates_transfer WHERE id IN {in_list(ids)} ORDER BY id"  # noqa: S608 - placeholders only
    locked = {t.pk: t for t in load(Transfer, sql + for_update(), ids)}
    pieces = lock_pieces(t.piece_id for t in locked.values())
    piece_field, own_field = Transfer._meta.get_field("piece"), Transfer._meta.get_field(column.removesuffix("_id"))
    offers = [locked[i] for i in transfer_ids]
    for n, offer in enumerate(offers):
        piece_field.set_cached_value(offer, pieces[offer.piece_id])
        own_field.set_cached_value(offer, org)  # the counterparty loads on first use
        if offer.status != OfferStatus.OFFERED:
            with _item(n, batch, "transfer_ids"):
                raise Conflict("offer_closed", f"该转让当前状态为“{offer.get_status_display()}”，不能再处理")
        if offer.managed_by and not managed:
            with _item(n, batch, "transfer_ids"):
                raise Conflict("managed_offer", f"该转让属于{offer.managed_by}，请在该业务中办理（结算或撤销）")
    return certs, offers


def _lock_offer(transfer_id: int, org: Organisation, side: str, managed: bool = False) -> tuple[Certificate, Transfer, Piece]:
    certs, (offer,) = _lock_offers([transfer_id], org, side, managed=managed)
    return certs[offer.piece.certificate_id], offer, offer.piece


def _transfer_ids(transfer_ids) -> list[int]:
    ids = list(transfer_ids)
    _check_batch_size(len(ids), "transfer_ids", "请选择要接收的转让")
    if len(set(ids)) != len(ids):
        raise DomainError("transfer_ids_duplicate", "同一笔转让不能重复提交", field="transfer_ids")
    return ids


def accept_offer(actor: User, transfer_id: int, managed: bool = False) -> Transfer:
    """受让方签收: a new piece for the transferee; registration number; debtor notified; fee recorded.
    ``managed``: the caller is the business the offer belongs to (``Transfer.managed_by``)."""
    return accept_offers(actor, [transfer_id], managed=managed)[0]


def accept_offers(actor: User, transfer_ids: list[int], managed: bool = False) -> list[Transfer]:
    """批量签收: accept several offers in one atomic step; each still gets its own registration
    number, fee, debtor notice and audit event. All or nothing; an error names the offer."""
    org = member_actor(actor)
    ids = _transfer_ids(transfer_ids)
    batch = len(ids) > 1
    today = today_china()
    with transaction.atomic():
        certs, offers = _lock_offers(ids, org, "to", batch, managed=managed)
        transferors = standing_errors("办理转让", [Party(o.from_org_id, "转让方") for o in offers])  # may be suspended since the offer
        for n, offer in enumerate(offers):
            with _item(n, batch, "transfer_ids"):
                if offer.deadline < today:
                    raise DomainError("offer_expired", f"已超过接收截止日 {offer.deadline:%Y-%m-%d}，该转让失效")
                refuse_debtor(certs[offer.piece.certificate_id].debtor_id, org.pk, None)
                if transferors[n] is not None:
                    raise transferors[n]
        now = timezone.now()
        set_piece_status([o.piece for o in offers], PieceStatus.OFFERED, PieceStatus.TRANSFERRED, now)
        new_pieces = []
        for offer in offers:
            offer.piece.status, offer.piece.ended_at = PieceStatus.TRANSFERRED, now
            new_pieces.append(piece_row(certs[offer.piece.certificate_id], parent=offer.piece, holder_id=org.pk,
                                        amount_fen=offer.piece.amount_fen, status=PieceStatus.LIVE, origin="transfer", now=now))
        insert_objects(new_pieces)
        save_piece_counts(certs.values())
        rule = fee_rule_on(OperationType.TRANSFER, today)
        charges = []
        for offer, new, number in zip(offers, new_pieces, next_numbers("BG", today.year, len(offers)), strict=True):
            offer.status = OfferStatus.ACCEPTED
            offer.decided_by = actor
            offer.decided_at = now
            offer.registration_no = number
            offer.new_piece = new
            offer.fee_fen, rows = fee_rows(rule, base_fen=offer.amount_fen, payer_a_id=offer.from_org_id, payer_b_id=org.pk,
                                           certificate_id=new.certificate_id, transfer_id=offer.pk, reference=number, today=today,
                                           term=stored_term(offer))
            charges += rows
        update_objects(offers, ["status", "decided_by", "decided_at", "registration_no", "new_piece", "fee_fen"])
        insert_rows(FeeCharge, FEE_FIELDS, charges)
        from_ids = keys(o.from_org_id for o in offers)
        names = dict(fetch(f"SELECT id, name FROM members_organisation WHERE id IN {in_list(from_ids)}", from_ids))  # noqa: S608
        notices = []
        for offer in offers:
            cert = certs[offer.piece.certificate_id]
            notices.append(debtor_notice(cert, offer, names[offer.from_org_id], org.name))
        position = {o.pk: n for n, o in enumerate(offers)}
        for group in _grouped(offers, "from_org_id"):
            if len(group) == 1:
                offer = group[0]
                notices.append(notice(offer.from_org_id, f"转让已被接收：{offer.registration_no}", f"{org.name} 已接收 {format_yuan(offer.amount_fen)}。", obj=offer))
            else:
                total = format_yuan(sum(o.amount_fen for o in group))
                numbers = [o.registration_no for o in group]
                # one block of numbers in ``offers`` order: consecutive exactly when the positions are
                places = [position[o.pk] for o in group]
                listed = f"{numbers[0]} 至 {numbers[-1]}" if places[-1] - places[0] == len(places) - 1 else "、".join(numbers)
                notices.append(notice(group[0].from_org_id, f"{len(group)} 笔转让已被接收：合计 {total}",
                                      f"{org.name} 已接收 {len(group)} 笔转让，合计 {total}；流转变更登记编号 {listed}。",
                                      kind="transfer_batch"))
        notify_all(notices)
        # the audit head is the last lock an action takes (see record_many)
        audit.record_many(actor, [audit.entry("piece.transfer_accept", offer, {
            "registration_no": offer.registration_no, "from_piece": offer.piece.number, "new_piece": offer.new_piece.number,
            "amount_fen": offer.amount_fen, "from": offer.from_org_id, "to": org.pk, "fee_fen": offer.fee_fen,
        }) for offer in offers])
        return offers


def decline_offer(actor: User, transfer_id: int, reason: str = "", managed: bool = False) -> Transfer:
    org = member_actor(actor)
    with transaction.atomic():
        _cert, offer, piece = _lock_offer(transfer_id, org, "to", managed)
        unfreeze(piece, PieceStatus.OFFERED)  # the reserved amount goes back to the transferor
        offer.status = OfferStatus.DECLINED
        offer.decided_by = actor
        offer.decided_at = timezone.now()
        offer.decline_reason = (reason or "").strip()[:300]
        offer.save()
        notify(offer.from_org_id, "转让被拒收", f"{org.name} 拒收了 {format_yuan(offer.amount_fen)}（{offer.decline_reason or '未说明原因'}），金额已退回分段 {piece.number}。", obj=offer)
        audit.record(actor, "piece.transfer_decline", offer, summary={"piece": piece.number, "reason": offer.decline_reason})
        return offer


def cancel_offer(actor: User, transfer_id: int, managed: bool = False) -> Transfer:
    org = member_actor(actor)
    with transaction.atomic():
        _cert, offer, piece = _lock_offer(transfer_id, org, "from", managed)
        unfreeze(piece, PieceStatus.OFFERED)  # the reserved amount goes back to the transferor
        offer.status = OfferStatus.CANCELLED
        offer.decided_by = actor
        offer.decided_at = timezone.now()
        offer.save()
        notify(offer.to_org_id, "转让已撤回", f"{org.name} 撤回了 {format_yuan(offer.amount_fen)} 的转让。", obj=offer)
        audit.record(actor, "piece.transfer_cancel", offer, summary={"piece": piece.number})
        return offer


def lapse_expired_offers(today: dt.date) -> int:
    """Offers past their deadline lapse; the amount returns to the transferor (daily job)."""
    n = 0
    for offer_id in Transfer.objects.filter(status=OfferStatus.OFFERED, deadline__lt=today).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # certificate → transfer → piece, the order accept_offer uses, so the two never deadlock
            cert_id = Transfer.objects.filter(pk=offer_id).values_list("piece__certificate_id", flat=True).get()
            Certificate.objects.select_for_update().get(pk=cert_id)
            offer = Transfer.objects.select_for_update().get(pk=offer_id)
            if offer.status != OfferStatus.OFFERED:
                continue
            piece = Piece.objects.select_for_update().get(pk=offer.piece_id)
            unfreeze(piece, PieceStatus.OFFERED)
            offer.status = OfferStatus.LAPSED
            offer.decided_at = timezone.now()
            offer.save(update_fields=["status", "decided_at"])
            notify(offer.from_org, "转让已逾期失效", f"{offer.to_org.name} 未在 {offer.deadline:%Y-%m-%d} 前接收，{format_yuan(offer.amount_fen)} 已退回分段 {piece.number}。", obj=offer)
            audit.record("system:daily", "piece.transfer_lapse", offer, summary={"piece": piece.number, "deadline": offer.deadline.isoformat()})
            n += 1
    return n
