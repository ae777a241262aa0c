"""Set-off agreements (抵销协议): each party confirms or declines; the last confirmation executes it.

Execution is atomic: the agreement row and then its obligations (by primary key) are locked,
every obligation is re-checked against the amounts the agreement sets off, and either all of them
fall by those amounts — every party's net position unchanged, as the loop is a circulation — or,
if any no longer holds (another agreement got there first, a registration was withdrawn), the
agreement is voided and nothing moves. A decline, or a deadline passed, ends the agreement and
leaves the obligations of whoever did not confirm out of later runs until that party rejoins them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from liuzhuan.certificates.ledger.locks import lock_certificates, lock_pieces
from liuzhuan.certificates.ledger.models import Certificate, CertificateStatus, Piece, PieceStatus
from liuzhuan.certificates.ledger.pieces import settle_if_done, split_rows, write_splits
from liuzhuan.certificates.pledge.models import OPEN_PLEDGE_STATUSES, Pledge, PledgeStatus
from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, NotFound
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_numbers
from liuzhuan.members.actions import notice, notify_all
from liuzhuan.members.models import Organisation, User
from liuzhuan.members.queries import active_counterparties

from .. import proposals
from ..models import (
    Agreement,
    AgreementParty,
    AgreementStatus,
    Channel,
    LiquidityDeclaration,
    LiquidityStatus,
    Obligation,
    ObligationStatus,
    PartyDecision,
    PledgeeConsent,
    RunStatus,
    SetoffRun,
)
from ..register import rules
from ..register.actions import NUMBER_PREFIX as OBLIGATION_PREFIX
from ..register.actions import member_org


def _lock(agreement_id: int, org: Organisation) -> tuple[Agreement, list[AgreementParty], AgreementParty]:
    """The agreement and its parties, locked; the first party to act writes them as rows
    (``proposals.materialize``) — if it turns out not to be this member's, the action's rollback
    takes them back."""
    if not proposals.materialize(agreement_id):
        raise NotFound("抵销协议不存在")
    agreement = Agreement.objects.select_for_update(of=("self",)).filter(pk=agreement_id,
                                                                        run__status=RunStatus.DONE).first()
    if agreement is None:
        raise NotFound("抵销协议不存在")
    parties = list(agreement.parties.select_for_update().order_by("position"))
    mine = next((p for p in parties if p.organisation_id == org.pk), None)
    if mine is None:
        raise NotFound("抵销协议不存在")
    if agreement.status != AgreementStatus.PROPOSED:
        raise Conflict("agreement_closed", f"抵销协议 {agreement.number} 当前为“{agreement.get_status_display()}”，不能再确认或拒绝")
    if mine.decision != PartyDecision.PENDING:
        raise Conflict("already_decided", f"本单位已{mine.get_decision_display()}该协议")
    if today_china() > agreement.deadline:
        raise Conflict("deadline_passed", f"抵销协议 {agreement.number} 的确认截止日 {agreement.deadline:%Y-%m-%d} 已过")
    return agreement, parties, mine


def confirm(actor: User, agreement_id: int) -> Agreement:
    """This party agrees; when every party has agreed the set-off executes in the same transaction."""
    org = member_org(actor)
    with transaction.atomic():
        agreement, parties, mine = _lock(agreement_id, org)
        mine.decision, mine.decided_by, mine.decided_at = PartyDecision.CONFIRMED, actor, timezone.now()
        mine.save(update_fields=["decision", "decided_by", "decided_at"])
        entries = [audit.entry("setoff.agreement.confirm", agreement, {"number": agreement.number, "org_id": org.pk})]
        if all(p.decision == PartyDecision.CONFIRMED for p in parties):
            entries.append(_execute(actor, agreement, parties))
        audit.record_many(actor, entries)
    return agreement


def _execute(actor: User, agreement: Agreement, parties: list[AgreementParty]) -> tuple:
    parts = list(agreement.parts.order_by("obligation_id", "piece_id", "id"))
    need: dict[int, int] = defaultdict(int)
    piece_need: dict[int, int] = defaultdict(int)
    for part in parts:
        if part.obligation_id:
            need[part.obligation_id] += part.amount_fen
        else:
            piece_need[part.piece_id] += part.amount_fen
    obligations = {o.pk: o for o in Obligation.objects.select_for_update().filter(pk__in=list(need)).order_by("pk")}
    # certificate rows, then their pieces: the lock order of every certificate action. A piece
    # another agreement (or a partial transfer) split meanwhile lives on in its remainder: the
    # agreement sets off that, once the certificates are locked and nothing can split it further.
    piece_certs = dict(Piece.objects.filter(pk__in=list(piece_need)).values_list("pk", "certificate_id"))
    certs = lock_certificates(piece_certs.values()) if piece_need else {}
    if piece_need:
        current = _current_pieces(list(piece_need))
        moved: dict[int, int] = defaultdict(int)
        for pk, amount in piece_need.items():
            moved[current[pk]] += amount
        piece_need = dict(moved)
        piece_certs = {current[pk]: cert_id for pk, cert_id in piece_certs.items()}
    pieces = lock_pieces(piece_need) if piece_need else {}
    problem = ""
    for pk, amount in sorted(need.items()):
        if problem := _shortfall(obligations[pk], amount):
            break
    for pk, amount in sorted(piece_need.items()):
        if problem:
            break
        problem = _piece_shortfall(pieces[pk], certs[piece_certs[pk]], amount)
    if not problem:
        problem = _standing_problem(parties)
    declarations = []
    if agreement.kind == "chain" and not problem:
        payer = next(p for p in parties if p.position == 0)
        declarations, problem = _lock_cash(payer.organisation_id, agreement.amount_fen)
    now = timezone.now()
    agreement.closed_at = now
    if problem:
        agreement.status, agreement.close_reason = AgreementStatus.VOIDED, problem
        agreement.save(update_fields=["status", "closed_at", "close_reason"])
        notify_all([notice(p.organisation_id, f"抵销协议 {agreement.number} 已作废", f"{problem}。各方债务均未变动。",
                           obj=agreement, kind="setoff.voided") for p in parties])
        return audit.entry("setoff.agreement.void", agreement, {"number": agreement.number, "reason": problem})
    for pk, amount in need.items():
        o = obligations[pk]
        o.outstanding_fen -= amount
        if o.outstanding_fen == 0:
            o.status = ObligationStatus.SETTLED
    Obligation.objects.bulk_update(list(obligations.values()), ["outstanding_fen", "status"])
    cash = _use_cash(declarations, agreement.amount_fen)
    funded = _funded_debts(agreement, parties, declarations, cash)
    agreement.status = AgreementStatus.EXECUTED
    agreement.save(update_fields=["status", "closed_at"])
    notify_all([notice(p.organisation_id, f"抵销协议 {agreement.number} 已执行", _executed_text(agreement, p, parties),
                       obj=agreement, kind="setoff.executed") for p in parties])
    # last: settling a certificate appends to the audit chain, and nothing is inserted after that
    set_off_pieces = _set_off_pieces(actor, agreement, certs, pieces, piece_certs, piece_need)
    return audit.entry("setoff.agreement.execute", agreement, {
        "number": agreement.number, "amount_fen": agreement.amount_fen,
        "parts": [[p.obligation_id, p.amount_fen] for p in parts if p.obligation_id],
        "pieces": set_off_pieces, "cash": cash, "funded": funded})


def _standing_problem(parties: list[AgreementParty]) -> str:
    """Set-off runs among members only (seed 二(二)): a party suspended, closed or struck off since
    the run voids the agreement at execution, like an amount that no longer holds."""
    ids = {p.organisation_id for p in parties}
    ok = set(active_counterparties().filter(pk__in=ids).values_list("pk", flat=True))
    lapsed = sorted(ids - ok)
    if not lapsed:
        return ""
    names = "、".join(Organisation.objects.filter(pk__in=lapsed).order_by("pk").values_list("name", flat=True))
    return f"参与方 {names} 已不是正常状态的会员，不能执行抵销"


def _executed_text(agreement: Agreement, party: AgreementParty, parties: list[AgreementParty]) -> str:
    amount = format_yuan(agreement.amount_fen)
    if agreement.kind != "chain":
        return f"各方均已确认，贵单位在本协议中的应付与应收各减少 {amount}，净头寸不变。"
    if party.position == 0:
        return f"各方均已确认：贵单位以现金 {amount} 清偿应付，已从现金清偿意愿中扣减。"
    if party.position == len(parties) - 1:
        return f"各方均已确认：贵单位的应收减少 {amount}，由上一环节以现金 {amount} 清偿。"
    return f"各方均已确认：贵单位收到的现金 {amount} 用于清偿应付，应收与应付各减少 {amount}。"


def _lock_cash(org_id: int, amount: int) -> tuple[list[LiquidityDeclaration], str]:
    """The payer's active, unexpired declarations (earliest expiry first), locked; "" if they cover ``amount``."""
    declarations = list(LiquidityDeclaration.objects.usable(today_china()).select_for_update(of=("self",))
                        .filter(organisation_id=org_id).order_by("valid_until", "id"))
    free = sum(d.remaining_fen for d in declarations)
    if free < amount:
        return declarations, (f"付款方申报的可用现金 {format_yuan(free)} 已少于本债务链需支付的 {format_yuan(amount)}"
                              "（已撤回、过期或已用于其他债务链），协议不再成立")
    return declarations, ""


def _use_cash(declarations: list[LiquidityDeclaration], amount: int) -> list[list[int]]:
    """Draw ``amount`` from the locked declarations in order; returns [[declaration id, fen], …]."""
    used, left = [], amount
    for d in declarations:
        if not left:
            break
        take = min(left, d.remaining_fen)
        if take:
            d.used_fen += take
            left -= take
            used.append([d.pk, take])
    LiquidityDeclaration.objects.bulk_update([d for d in declarations if any(u[0] == d.pk for u in used)], ["used_fen"])
    return used


def _funded_debts(agreement: Agreement, parties: list[AgreementParty], declarations: list[LiquidityDeclaration],
                  used: list[list[int]]) -> list[list]:
    """Cash a provider put up paid the payer's debt: the payer now owes the provider that much
    (a confirmed obligation, as when a purchaser buys a receivable). Returns [[number, fen], …]."""
    by_id = {d.pk: d for d in declarations}
    funded = [(by_id[pk], fen) for pk, fen in used if by_id[pk].provider_id]
    if not funded:
        return []
    # registered by the provider's user who put the cash up, confirmed by the payer's who signed the chain
    payer_user_id = next(p.decided_by_id for p in parties if p.position == 0)
    numbers = next_numbers(OBLIGATION_PREFIX, today_china().year, len(funded))
    now = timezone.now()
    rows = [Obligation(number=number, creditor_id=d.provider_id, debtor_id=d.organisation_id, amount_fen=fen,
                       outstanding_fen=fen, basis=f"债务链垫付 {agreement.number}/{d.pk}"[:100],
                       note="出资方为本单位清偿债务链应付后形成的债务", status=ObligationStatus.CONFIRMED,
                       channel=Channel.CHAIN, registered_by_org_id=d.provider_id, registered_by_id=d.declared_by_id,
                       confirmed_by_id=payer_user_id, confirmed_at=now, confirmed_how="chain", from_cash=d)
            for number, (d, fen) in zip(numbers, funded, strict=True)]
    Obligation.objects.bulk_create(rows)
    notify_all([n for o in rows for n in (
        notice(o.debtor_id, f"债务链垫付形成债务 {o.number}", f"抵销协议 {agreement.number} 执行时，出资方以 "
               f"{format_yuan(o.amount_fen)} 清偿了贵单位的应付；贵单位现对出资方负有等额债务（已确认）。",
               obj=agreement, kind="setoff.funded"),
        notice(o.creditor_id, f"债务链垫付形成债权 {o.number}", f"抵销协议 {agreement.number} 执行时使用了贵单位提供的 "
               f"{format_yuan(o.amount_fen)}，形成对付款单位的等额债权（已确认）。", obj=agreement, kind="setoff.funded"))])
    return [[o.number, o.amount_fen] for o in rows]


def _current_pieces(piece_ids: list[int]) -> dict[int, int]:
    """Each piece, or — if it was split since — the part of it its holder still holds: down the
    chain of splits, the child with the same holder that is live (or split again), the largest."""
    out = {}
    for pid in piece_ids:
        cur = pid
        while True:
            status, holder = Piece.objects.filter(pk=cur).values_list("status", "holder_id").get()
            if status != PieceStatus.SPLIT:
                break
            child = (Piece.objects.filter(parent_id=cur, holder_id=holder,
                                          status__in=[PieceStatus.LIVE, PieceStatus.SPLIT, PieceStatus.PLEDGED])
                     .order_by("-amount_fen", "pk").values_list("pk", flat=True).first())
            if child is None:
                break
            cur = child
        out[pid] = cur
    return out


def _piece_shortfall(piece: Piece, cert: Certificate, amount: int) -> str:
    """Why a certificate piece can no longer be set off by this agreement, or "" when it can."""
    if cert.status != CertificateStatus.ACTIVE:
        return f"凭证 {cert.number} 当前为“{cert.get_status_display()}”，协议不再成立"
    if piece.status == PieceStatus.PLEDGED:
        if problem := _pledge_problem(piece):
            return problem
    elif piece.status != PieceStatus.LIVE:
        return f"凭证分段 {piece.number} 当前为“{piece.get_status_display()}”，原持有人已无可抵销的余额，协议不再成立"
    if piece.amount_fen < amount:
        return f"凭证分段 {piece.number} 金额 {format_yuan(piece.amount_fen)} 少于本协议需抵销的 {format_yuan(amount)}"
    return ""


def _pledge_of(piece: Piece) -> Pledge | None:
    return Pledge.objects.select_for_update().filter(piece_id=piece.pk, status__in=OPEN_PLEDGE_STATUSES).first()


def _pledge_problem(piece: Piece) -> str:
    """Why a pledged piece can no longer be set off (its pledge locked), or "" when it can: an
    effective pledge, no pledged transfer under way, and the pledgee's standing consent still given."""
    pledge = _pledge_of(piece)
    if pledge is None or pledge.status != PledgeStatus.EFFECTIVE:
        return f"凭证分段 {piece.number} 的质押不在生效状态，协议不再成立"
    if pledge.transfer_requests.filter(status__in=["requested", "consented"]).exists():
        return f"凭证分段 {piece.number} 正在办理质押分段转让，协议不再成立"
    if not PledgeeConsent.objects.filter(organisation_id=pledge.pledgee_id, status=LiquidityStatus.ACTIVE).exists():
        return f"质权人{pledge.pledgee.name}已撤回对质押分段参与抵销的概括同意，协议不再成立"
    return ""


def _set_off_pieces(actor: User, agreement: Agreement, certs, pieces, piece_certs, piece_need) -> list[list]:
    """Each piece ends the set-off part (status 已抵销) and keeps any remainder, as a split does;
    conservation holds: the set-off amount is value that left circulation for good. A pledged
    piece's remainder stays pledged and its pledge follows it (pledged amount reduced); with no
    remainder the pledge is released. The pledgee is told either way."""
    if not piece_need:
        return []
    ended: dict[str, list] = {PieceStatus.LIVE: [], PieceStatus.PLEDGED: []}
    created, done, pledged = [], [], []
    now = timezone.now()
    for pk, amount in sorted(piece_need.items()):
        piece, cert = pieces[pk], certs[piece_certs[pk]]
        was = piece.status
        pledge = _pledge_of(piece) if was == PieceStatus.PLEDGED else None
        (part,), rest = split_rows(cert, piece, [amount], status=PieceStatus.SET_OFF, min_unit=1, now=now,
                                   rest_status=was)
        ended[was].append(piece)
        created += [part, rest]
        done.append([piece.number, part.number, amount])
        if pledge is not None:
            pledged.append((pledge, piece, rest, amount))
    created_ok = False
    for status, group in ended.items():
        if group:
            write_splits(group, [] if created_ok else created, list(certs.values()), expected=status)
            created_ok = True
    for pledge, piece, rest, amount in pledged:
        _follow_pledge(actor, agreement, pledge, piece, rest, amount, now)
    for cert in certs.values():
        settle_if_done(actor, cert)
    return done


def _follow_pledge(actor: User, agreement: Agreement, pledge: Pledge, piece: Piece, rest: Piece | None, amount: int,
                   now) -> None:
    if rest is not None:
        pledge.piece_id, pledge.amount_fen = rest.pk, rest.amount_fen
        pledge.save(update_fields=["piece", "amount_fen"])
        text = (f"质押分段 {piece.number} 中 {format_yuan(amount)} 已在抵销协议 {agreement.number} 中抵销（贵单位已概括同意），"
                f"质押随剩余分段 {rest.number} 继续有效，质押金额为 {format_yuan(rest.amount_fen)}。")
    else:
        pledge.status, pledge.closed_by, pledge.closed_at = PledgeStatus.RELEASED, actor, now
        pledge.close_reason = f"质押分段已在抵销协议 {agreement.number} 中全额抵销（质权人概括同意）"
        pledge.save(update_fields=["status", "closed_by", "closed_at", "close_reason"])
        text = (f"质押分段 {piece.number} 已在抵销协议 {agreement.number} 中全额抵销（贵单位已概括同意），"
                f"质押 {pledge.number} 随之解除。")
    notify_all([notice(pledge.pledgee_id, f"质押物抵销通知：{pledge.number}", text, obj=agreement,
                       kind="setoff.pledge"),
                notice(pledge.pledgor_id, f"质押分段已抵销：{pledge.number}", text, obj=agreement, kind="setoff.pledge")])


def _shortfall(o: Obligation, amount: int) -> str:
    """Why the agreement no longer holds for this obligation, or "" when it does."""
    if o.status == ObligationStatus.SETTLED:
        return f"债务 {o.number} 已被其他协议抵销结清，协议不再成立"
    if o.status != ObligationStatus.CONFIRMED:
        return f"债务 {o.number} 当前为“{o.get_status_display()}”，协议不再成立"
    if o.outstanding_fen < amount:
        return (f"债务 {o.number} 的未抵销余额 {format_yuan(o.outstanding_fen)} 已少于本协议需抵销的 "
                f"{format_yuan(amount)}（已被其他协议抵销），协议不再成立")
    return ""


def decline(actor: User, agreement_id: int, reason: str) -> Agreement:
    """This party refuses; the agreement ends and its obligations in it sit out later runs."""
    org = member_org(actor)
    reason = rules.required_reason(reason, "拒绝理由")
    with transaction.atomic():
        agreement, parties, mine = _lock(agreement_id, org)
        now = timezone.now()
        mine.decision, mine.decided_by, mine.decided_at, mine.reason = PartyDecision.DECLINED, actor, now, reason
        mine.save(update_fields=["decision", "decided_by", "decided_at", "reason"])
        agreement.status, agreement.closed_at = AgreementStatus.DECLINED, now
        agreement.close_reason = f"{org.name}拒绝：{reason}"
        agreement.save(update_fields=["status", "closed_at", "close_reason"])
        left_out = _opt_out(agreement, {org.pk}, f"本单位于 {today_china():%Y-%m-%d} 拒绝抵销协议 {agreement.number}")
        notify_all([notice(p.organisation_id, f"抵销协议 {agreement.number} 未能执行", f"{org.name}拒绝了该协议：{reason}",
                           obj=agreement, kind="setoff.declined") for p in parties if p.organisation_id != org.pk])
        audit.record(actor, "setoff.agreement.decline", agreement,
                     summary={"number": agreement.number, "reason": reason, "left_out": left_out})
    return agreement


def _opt_out(agreement: Agreement, org_ids: set[int], why: str) -> list[int]:
    """Leave the given parties' registered obligations in this agreement out of later runs, each
    marked with the party that left it out (only that party may put it back). Certificate pieces
    carry no such mark: a piece stays in the runs while it is live."""
    ids = sorted({part.obligation_id for part in agreement.parts.filter(obligation__isnull=False)})
    locked = list(Obligation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    changed = []
    for o in locked:
        by = o.debtor_id if o.debtor_id in org_ids else o.creditor_id if o.creditor_id in org_ids else None
        if by is not None:
            o.opted_out, o.opted_out_reason, o.opted_out_by_id = True, why[:200], by
            changed.append(o)
    Obligation.objects.bulk_update(changed, ["opted_out", "opted_out_reason", "opted_out_by"])
    return [o.pk for o in changed]


def lapse_overdue(today: dt.date) -> int:
    """Daily: agreements past their deadline lapse; who had not confirmed sits out later runs.

    Agreements somebody acted on have rows and lapse one by one. Those nobody touched lapse by
    their run, in bulk: every party was silent, so each obligation in them sits out, marked as
    left out by its debtor (as a row's lapse marks an obligation whose two sides both stayed
    silent); each member gets one notice per run.
    """
    count = 0
    ids = list(Agreement.objects.filter(status=AgreementStatus.PROPOSED, deadline__lt=today, run__status=RunStatus.DONE)
               .values_list("pk", flat=True))
    for agreement_id in ids:
        with transaction.atomic():
            agreement = Agreement.objects.select_for_update(of=("self",)).filter(
                pk=agreement_id, status=AgreementStatus.PROPOSED).first()
            if agreement is None:
                continue
            parties = list(agreement.parties.all())
            silent = {p.organisation_id for p in parties if p.decision == PartyDecision.PENDING}
            agreement.status, agreement.closed_at = AgreementStatus.LAPSED, timezone.now()
            agreement.close_reason = f"截至 {agreement.deadline:%Y-%m-%d} 仍有 {len(silent)} 方未确认"
            agreement.save(update_fields=["status", "closed_at", "close_reason"])
            _opt_out(agreement, silent, f"未在 {agreement.deadline:%Y-%m-%d} 前确认抵销协议 {agreement.number}")
            notify_all([notice(p.organisation_id, f"抵销协议 {agreement.number} 逾期失效", agreement.close_reason,
                               obj=agreement, kind="setoff.lapsed") for p in parties])
            audit.record(None, "setoff.agreement.lapse", agreement, summary={"number": agreement.number})
            count += 1
    for run in SetoffRun.objects.defer("snapshot").filter(status=RunStatus.DONE, deadline__lt=today,
                                                          lapsed_at__isnull=True).order_by("pk"):
        count += _lapse_unacted(run)
    return count


#: obligations marked per UPDATE when a run's untouched agreements lapse
_OPT_OUT_CHUNK = 5_000


def _lapse_unacted(run: SetoffRun) -> int:
    with transaction.atomic():
        run = SetoffRun.objects.select_for_update().defer("snapshot").get(pk=run.pk)
        if run.lapsed_at is not None:
            return 0
        loops = proposals.unacted(run)
        free = np.zeros(run.loops_count, dtype=bool)
        free[loops] = True
        obligation_ids, orgs = [], {}
        for b, blk in proposals.run_blocks(run):
            k0 = b * proposals.BLOCK
            loop_free = free[k0:k0 + len(blk.amount)]
            leg_loop = np.repeat(np.arange(len(blk.amount)), np.diff(blk.leg_ptr))
            mask = loop_free[np.repeat(leg_loop, np.diff(blk.part_ptr))] & (blk.part_kind == proposals.OBLIGATION)
            obligation_ids.append(blk.part_id[mask])
            for org in blk.leg_debtor[loop_free[leg_loop]].tolist():
                orgs[org] = orgs.get(org, 0) + 1
        ids = np.unique(np.concatenate(obligation_ids)).tolist() if obligation_ids else []
        why = f"未在 {run.deadline:%Y-%m-%d} 前确认抵销测算 {run.number} 的抵销协议"
        left_out = 0
        for i in range(0, len(ids), _OPT_OUT_CHUNK):
            left_out += Obligation.objects.filter(pk__in=ids[i:i + _OPT_OUT_CHUNK], opted_out=False).update(
                opted_out=True, opted_out_reason=why[:200], opted_out_by_id=F("debtor_id"))
        run.lapsed_at = timezone.now()
        run.save(update_fields=["lapsed_at"])
        notify_all([notice(org, f"抵销测算 {run.number}：{n} 份抵销协议逾期失效",
                           f"截至 {run.deadline:%Y-%m-%d} 各方均未确认；其中的债务暂不参与后续测算，可在债务详情中重新参与。",
                           obj=run, kind="setoff.lapsed") for org, n in sorted(orgs.items())])
        audit.record(None, "setoff.run.lapse", run, summary={"number": run.number, "agreements": len(loops),
                                                              "left_out": left_out})
    return len(loops)
