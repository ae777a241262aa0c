"""Set-off runs: the operator (or the weekly schedule) starts one; the task worker computes it.

A run reads a snapshot of the confirmed register (each obligation's outstanding amount less what
open agreements already hold), solves the optimal set-off with the netting solver, and writes
back one agreement per loop (bilateral pairs included), each member's position, and the totals,
all in one transaction. The snapshot is stored with the run, so the result can be recomputed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from collections import defaultdict

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django_tasks import task

from liuzhuan.core import audit
from liuzhuan.core.dates import add_workdays, today_china
from liuzhuan.core.errors import Conflict
from liuzhuan.core.numbers import next_number, next_numbers
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.core.sql import copy_rows, reserve_ids
from liuzhuan.members.actions import notice, notify_all
from liuzhuan.members.models import User
from liuzhuan.netting.solver import Ledger, NettingOptions, solve

from ..models import (
    Agreement,
    AgreementPart,
    AgreementParty,
    AgreementStatus,
    LiquidityDeclaration,
    LiquidityStatus,
    ObligationStatus,
    PartyDecision,
    RunParty,
    RunStatus,
    SetoffRun,
)

#: working days the parties have to confirm an agreement
CONFIRM_WORKDAYS = 5
#: a run queued or running this long is taken to be lost (worker stopped or killed) and frees the slot
STALE_AFTER = dt.timedelta(hours=2)
RUN_PREFIX = "DX"
AGREEMENT_PREFIX = "XY"


def start_run(actor: User | None, *, trigger: str = "manual") -> SetoffRun:
    """Queue a run for the worker. One run at a time (a unique slot in the database holds it)."""
    if actor is not None:
        require_role(actor, Role.OPERATOR)
        require_write_access(actor)
    _fail_stale_runs()
    try:
        with transaction.atomic():
            run = SetoffRun.objects.create(number=next_number(RUN_PREFIX, today_china().year), trigger=trigger,
                                           started_by=actor, phase="排队等待计算")
            audit.record(actor, "setoff.run.start", run, summary={"number": run.number, "trigger": trigger})
            transaction.on_commit(lambda: _enqueue(run.pk))
    except IntegrityError as exc:
        if "active_slot" in str(exc) or "unique" in str(exc).lower():
            raise Conflict("run_active", "已有测算批次在排队或计算中，请待其完成后再发起") from exc
        raise
    return run


def _fail_stale_runs() -> None:
    """A run whose worker died (killed, machine restarted) would hold the one active slot forever."""
    with transaction.atomic():
        stale = list(SetoffRun.objects.select_for_update().filter(
            active_slot=1, created_at__lt=timezone.now() - STALE_AFTER))
        for run in stale:
            _void_written(run.pk, "测算超时未完成，本批次作废")
            SetoffRun.objects.filter(pk=run.pk).update(
                status=RunStatus.FAILED, active_slot=None, finished_at=timezone.now(), phase="失败",
                error=f"超过 {STALE_AFTER.seconds // 3600} 小时未完成（后台任务进程可能已停止），已标记失败；可重新发起")
            audit.record(None, "setoff.run.stale", run, summary={"number": run.number, "status": run.status})


def _void_written(run_id: int, reason: str) -> None:
    """Agreements a run wrote before it failed were never shown; they are voided, never deleted."""
    Agreement.objects.filter(run_id=run_id, status=AgreementStatus.PROPOSED).update(
        status=AgreementStatus.VOIDED, closed_at=timezone.now(), close_reason=reason)


def _enqueue(run_id: int) -> None:
    compute_run.enqueue(run_id)


@task()
def compute_run(run_id: int) -> dict:
    """The worker's entry point (Django's Tasks API; ``liuzhuan db_worker`` runs it)."""
    run = compute(run_id)
    return {"run": run.number, "status": run.status, "cleared_fen": run.cleared_fen}


def _progress(run_id: int, phase: str, pct: int) -> None:
    """Progress is written in its own short transaction so the run page sees it at once."""
    SetoffRun.objects.filter(pk=run_id).update(phase=phase, progress=pct)


def compute(run_id: int) -> SetoffRun:
    """Compute a queued run (called by the worker).

    Agreements are written in chunks of ``CHUNK_LOOPS``, each in its own short transaction, so a
    very large run never holds the database's write lock (all of it, on SQLite) for long and the
    site keeps taking writes meanwhile; they stay invisible until the final transaction marks the
    run done. A failure marks the run failed and voids whatever it had written.
    """
    claimed = SetoffRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), phase="读取债权债务快照", progress=5)
    if not claimed:
        return SetoffRun.objects.get(pk=run_id)
    t0 = time.perf_counter()
    try:
        snap = read_snapshot()
        _progress(run_id, "求解最优抵销", 25)
        result = solve_snapshot(snap)
        _progress(run_id, "写入抵销协议", 60)
        deadline = add_workdays(today_china(), CONFIRM_WORKDAYS)
        per_org = _write_agreements(run_id, snap, result.loops, deadline) if result is not None else {}
        with transaction.atomic():
            run = SetoffRun.objects.select_for_update().get(pk=run_id)
            if run.status != RunStatus.RUNNING:  # given up as stale meanwhile: what it wrote goes too
                _void_written(run_id, "测算超时未完成，本批次作废")
                return run
            _finish(run, snap, result, deadline, per_org, time.perf_counter() - t0)
    except BaseException as exc:  # a killed worker (SystemExit, KeyboardInterrupt) cleans up too
        with transaction.atomic():
            _void_written(run_id, "测算未完成，本批次作废")
            SetoffRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED, active_slot=None, finished_at=timezone.now(), phase="失败",
                error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    return SetoffRun.objects.get(pk=run_id)


# --- snapshot -----------------------------------------------------------------------------------


#: what a snapshot row is: a registered obligation, or a live certificate piece (debtor → holder)
OBLIGATION, PIECE = 0, 1


class Snapshot:
    """Parallel arrays: kind (obligation or piece), its id, debtor org id, creditor org id, amount (fen)."""

    __slots__ = ("amount", "creditor", "debtor", "ids", "kind", "liquidity")

    def __init__(self, ids, debtor, creditor, amount, kind=None, liquidity: dict[int, int] | None = None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.debtor = np.asarray(debtor, dtype=np.int64)
        self.creditor = np.asarray(creditor, dtype=np.int64)
        self.amount = np.asarray(amount, dtype=np.int64)
        self.kind = np.zeros(len(self.ids), dtype=np.int8) if kind is None else np.asarray(kind, dtype=np.int8)
        #: organisation id -> declared cash (fen) it may pay into debt chains in this run
        self.liquidity = dict(liquidity or {})

    def __len__(self) -> int:
        return len(self.ids)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, ids=self.ids, debtor=self.debtor, creditor=self.creditor, amount=self.amount,
                            kind=self.kind, liquidity_org=np.fromiter(self.liquidity, dtype=np.int64),
                            liquidity_fen=np.fromiter(self.liquidity.values(), dtype=np.int64))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Snapshot:
        with np.load(io.BytesIO(bytes(data))) as z:
            liquidity = dict(zip(z["liquidity_org"].tolist(), z["liquidity_fen"].tolist(), strict=True))
            return cls(z["ids"], z["debtor"], z["creditor"], z["amount"], z["kind"], liquidity)


_SNAPSHOT_SQL = ("SELECT id, debtor_id, creditor_id, outstanding_fen FROM setoff_obligation "
                 "WHERE status = %s AND opted_out = %s AND outstanding_fen > 0 ORDER BY id")
#: live pieces of active certificates; a pledged or reserved piece is frozen and stays out
_PIECES_SQL = ("SELECT p.id, c.debtor_id, p.holder_id, p.amount_fen FROM certificates_piece p "
               "JOIN certificates_certificate c ON c.id = p.certificate_id "
               "WHERE p.status = %s AND c.status = %s AND p.holder_id <> c.debtor_id ORDER BY p.id")


def _rows(sql: str, params: list, held: dict[int, int]) -> np.ndarray:
    with connection.cursor() as cur:  # plain rows: a million model instances would cost seconds
        cur.execute(sql, params)
        rows = cur.fetchall()
    arr = np.array(rows, dtype=np.int64).reshape(-1, 4)
    if held and len(arr):
        keys = np.fromiter(held, dtype=np.int64)
        pos = np.searchsorted(arr[:, 0], keys)
        found = (pos < len(arr)) & (arr[np.minimum(pos, len(arr) - 1), 0] == keys)
        arr[pos[found], 3] -= np.fromiter(held.values(), dtype=np.int64)[found]
        arr = arr[arr[:, 3] > 0]
    return arr


def read_snapshot() -> Snapshot:
    """Confirmed, not opted-out obligations and live certificate pieces, each less what open
    agreements already hold on it."""
    open_parts = AgreementPart.objects.filter(agreement__status=AgreementStatus.PROPOSED,
                                              agreement__run__status=RunStatus.DONE)
    held_obl = dict(open_parts.filter(obligation__isnull=False).values("obligation_id")
                    .annotate(s=Sum("amount_fen")).values_list("obligation_id", "s"))
    held_pieces = dict(open_parts.filter(piece__isnull=False).values("piece_id")
                       .annotate(s=Sum("amount_fen")).values_list("piece_id", "s"))
    obl = _rows(_SNAPSHOT_SQL, [ObligationStatus.CONFIRMED, False], held_obl)
    pieces = _rows(_PIECES_SQL, ["live", "active"], held_pieces)
    arr = np.concatenate([obl, pieces])
    kind = np.concatenate([np.full(len(obl), OBLIGATION, np.int8), np.full(len(pieces), PIECE, np.int8)])
    return Snapshot(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], kind, available_liquidity())


def available_liquidity() -> dict[int, int]:
    """Declared cash still free per member: active, unexpired declarations less what executed
    chains used and what chains awaiting signatures would use."""
    free: dict[int, int] = defaultdict(int)
    for org_id, amount, used in LiquidityDeclaration.objects.filter(
            status=LiquidityStatus.ACTIVE, valid_until__gte=today_china()).values_list("organisation_id", "amount_fen",
                                                                                     "used_fen"):
        free[org_id] += amount - used
    for payer, amount in (AgreementParty.objects.filter(agreement__status=AgreementStatus.PROPOSED,
                                                        agreement__run__status=RunStatus.DONE,
                                                        agreement__kind="chain", position=0)
                          .values_list("organisation_id", "agreement__amount_fen")):
        free[payer] -= amount
    return {org: fen for org, fen in free.items() if fen > 0}


def solve_snapshot(snap: Snapshot):
    """The optimal set-off of a snapshot: loops of 2+ parties and, where members declared cash,
    payment chains that clear the most debt per yuan. Parties are organisation ids."""
    if not len(snap):
        return None
    orgs, codes = np.unique(np.concatenate([snap.debtor, snap.creditor]), return_inverse=True)
    n = len(snap)
    names = [str(o) for o in orgs.tolist()]
    ledger = Ledger.from_codes((snap.ids * 2 + snap.kind).astype(str), names, codes[:n], codes[n:], snap.amount, None,
                               checked=True)
    present = set(names)
    liquidity = {str(org): fen for org, fen in snap.liquidity.items() if str(org) in present}
    return solve(ledger, NettingOptions(min_parties=2, liquidity=liquidity))


# --- writing the result -------------------------------------------------------------------------


def _finish(run: SetoffRun, snap: Snapshot, result, deadline: dt.date, per_org: dict[int, int],
            seconds: float) -> None:
    """Totals, each member's line, notices and the audit event; the run becomes done (and its
    agreements visible) in this one short transaction."""
    run.snapshot = snap.to_bytes()
    run.snapshot_sha256 = hashlib.sha256(run.snapshot).hexdigest()
    run.obligations_count = len(snap)
    run.deadline = deadline
    by_org: dict[int, dict] = defaultdict(lambda: {"payable": 0, "receivable": 0, "cleared": 0, "agreements": 0})
    for ids, key in ((snap.debtor, "payable"), (snap.creditor, "receivable")):
        uniq, inv = np.unique(ids, return_inverse=True)
        sums = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(sums, inv, snap.amount)
        for org_id, s in zip(uniq.tolist(), sums.tolist(), strict=True):
            by_org[org_id][key] = s
    for org_id, n in per_org.items():
        by_org[org_id]["agreements"] = n
    counts = {"bilateral": 0, "multilateral": 0, "chain": 0}
    if result is not None:
        run.total_fen, run.nid_fen, run.cleared_fen = result.total_fen, result.nid_fen, result.cleared_fen
        run.parties_count = len(result.ledger.parties)
        uniq, inv = np.unique(snap.debtor, return_inverse=True)
        cleared = np.zeros(len(uniq), dtype=np.int64)
        np.add.at(cleared, inv, result.cleared)
        for org_id, s in zip(uniq.tolist(), cleared.tolist(), strict=True):
            by_org[org_id]["cleared"] = s
        counts = {k: result.loops.count(k) for k in counts}
        run.liquidity_fen = sum(snap.liquidity.values())
        run.paid_fen = result.liquidity_used_fen
        run.cleared_without_liquidity_fen = result.cleared_without_liquidity
    run.loops_count = counts["bilateral"] + counts["multilateral"] + counts["chain"]
    run.bilateral_count, run.multilateral_count = counts["bilateral"], counts["multilateral"]
    run.chain_count = counts["chain"]
    copy_rows(RunParty, ["run_id", "organisation_id", "payable_fen", "receivable_fen", "cleared_fen", "agreements"],
              [(run.pk, org_id, v["payable"], v["receivable"], v["cleared"], v["agreements"])
               for org_id, v in sorted(by_org.items())])
    run.status, run.active_slot, run.phase, run.progress = RunStatus.DONE, None, "完成", 100
    run.finished_at, run.seconds = timezone.now(), round(seconds, 3)
    run.save()
    notify_all([notice(org_id, f"抵销测算 {run.number}：贵单位有 {v['agreements']} 份抵销协议待确认",
                       f"请于 {deadline:%Y-%m-%d} 前在“债权债务 › 抵销协议”中确认；逾期未确认的协议失效。",
                       obj=run, kind="setoff.agreements")
                for org_id, v in sorted(by_org.items()) if v["agreements"]])
    audit.record(None, "setoff.run.done", run, summary={
        "number": run.number, "obligations": run.obligations_count, "total_fen": run.total_fen,
        "cleared_fen": run.cleared_fen, "nid_fen": run.nid_fen, "agreements": run.loops_count,
        "chains": run.chain_count, "paid_fen": run.paid_fen, "snapshot_sha256": run.snapshot_sha256})


#: loops written per transaction (a 1M-obligation run proposes about 450,000)
CHUNK_LOOPS = 20_000


def _write_agreements(run_id: int, snap: Snapshot, loops, deadline: dt.date) -> dict[int, int]:
    """One agreement per loop or chain, its parties (leg debtors in order, and for a chain the last
    creditor, who keeps the cash) and its parts (obligations or certificate pieces). Returns the
    number of agreements per organisation.

    Rows are built from the solver's flat arrays and bulk-loaded (COPY on PostgreSQL), with keys
    reserved up front, ``CHUNK_LOOPS`` loops per transaction.
    """
    n = len(loops)
    if not n:
        return {}
    with transaction.atomic():
        numbers = next_numbers(AGREEMENT_PREFIX, today_china().year, n)
    ids = np.zeros(n, dtype=np.int64)  # reserved chunk by chunk, in the transaction that inserts them
    org_of = np.array([int(p) for p in loops.parties], dtype=np.int64)
    leg_ptr, part_ptr = loops.leg_ptr, loops.part_ptr
    leg_counts = np.diff(leg_ptr)
    is_chain = loops.kind == 2
    n_parties = leg_counts + is_chain
    kind_names = np.array(["bilateral", "multilateral", "chain"], dtype=object)[loops.kind].tolist()
    leg_in_loop = np.arange(int(leg_ptr[-1])) - np.repeat(leg_ptr[:-1], leg_counts)
    leg_org = org_of[loops.leg_debtor]
    part_counts = np.diff(part_ptr)
    part_leg_pos = np.repeat(leg_in_loop, part_counts)
    part_is_piece = snap.kind[loops.part_obligation] == PIECE
    part_ids = snap.ids[loops.part_obligation]
    now = timezone.now()
    for k0 in range(0, n, CHUNK_LOOPS):
        k1 = min(n, k0 + CHUNK_LOOPS)
        g0, g1 = int(leg_ptr[k0]), int(leg_ptr[k1])
        p0, p1 = int(part_ptr[g0]), int(part_ptr[g1])
        chains = np.flatnonzero(is_chain[k0:k1]) + k0
        pieces = part_is_piece[p0:p1].tolist()
        pids = part_ids[p0:p1].tolist()
        with transaction.atomic():  # keys are reserved in the transaction that inserts their rows
            ids[k0:k1] = reserve_ids(Agreement, k1 - k0)
            agreement_of_leg = np.repeat(ids[k0:k1], leg_counts[k0:k1])
            party_rows = list(zip(agreement_of_leg.tolist(), leg_org[g0:g1].tolist(), leg_in_loop[g0:g1].tolist(),
                                  strict=True))
            # a chain's last creditor is a party too: it keeps the cash the chain passes along
            party_rows += list(zip(ids[chains].tolist(), org_of[loops.leg_creditor[leg_ptr[chains + 1] - 1]].tolist(),
                                   leg_counts[chains].tolist(), strict=True))
            copy_rows(Agreement, ["id", "number", "run_id", "kind", "amount_fen", "parties_count", "status", "deadline",
                                  "created_at", "close_reason"],
                      [(int(ids[k]), numbers[k], run_id, kind_names[k], int(loops.amount[k]), int(n_parties[k]),
                        AgreementStatus.PROPOSED, deadline, now, "") for k in range(k0, k1)])
            copy_rows(AgreementParty, ["agreement_id", "organisation_id", "position", "decision", "reason"],
                      [(a, o, pos, PartyDecision.PENDING, "") for a, o, pos in party_rows])
            copy_rows(AgreementPart, ["agreement_id", "obligation_id", "piece_id", "leg", "amount_fen"],
                      list(zip(np.repeat(agreement_of_leg, part_counts[g0:g1]).tolist(),
                               [None if p else i for i, p in zip(pids, pieces, strict=True)],
                               [i if p else None for i, p in zip(pids, pieces, strict=True)],
                               part_leg_pos[p0:p1].tolist(), loops.part_amount[p0:p1].tolist(), strict=True)))
        _progress(run_id, "写入抵销协议", 60 + int(35 * k1 / n))
    party_org = np.concatenate([leg_org, org_of[loops.leg_creditor[leg_ptr[np.flatnonzero(is_chain) + 1] - 1]]])
    orgs, per_org = np.unique(party_org, return_counts=True)
    return dict(zip(orgs.tolist(), per_org.tolist(), strict=True))


def last_run() -> SetoffRun | None:
    return SetoffRun.objects.order_by("-id").first()


def recompute(run: SetoffRun):
    """Solve a finished run's stored snapshot again (it must give the stored totals)."""
    return solve_snapshot(Snapshot.from_bytes(run.snapshot))


def schedule_weekly(today: dt.date) -> SetoffRun | None:
    """The weekly run (Mondays), started by ``liuzhuan daily``; none if one already ran today."""
    if today.weekday() != 0:
        return None
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    if SetoffRun.objects.filter(Q(created_at__gte=start) | Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])).exists():
        return None
    return start_run(None, trigger="schedule")
