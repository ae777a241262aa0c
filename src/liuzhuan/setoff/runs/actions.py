"""Set-off runs: the operator (or the weekly schedule) starts one; the task worker computes it.

A run reads a snapshot of the confirmed register (each obligation's outstanding amount less what
open agreements already hold), solves the optimal set-off with the netting solver, and stores the
loop table compactly (``proposals.py``: one agreement per loop, bilateral pairs included, a row
only once a party acts), each member's position and the totals. The snapshot is stored with the
run, so the result can be recomputed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import time
import zlib
from collections import defaultdict

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django_tasks import task
from numpy.dtypes import StringDType

from liuzhuan.core import audit
from liuzhuan.core.dates import add_workdays, today_china
from liuzhuan.core.errors import Conflict
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.core.sql import copy_rows, write_blob
from liuzhuan.members.actions import notify_select
from liuzhuan.members.models import User
from liuzhuan.netting.solver import Ledger, NettingOptions, solve

from .. import proposals
from ..models import (
    AgreementPart,
    AgreementParty,
    AgreementStatus,
    LiquidityDeclaration,
    ObligationStatus,
    ProposalBlock,
    RunParty,
    RunStatus,
    SetoffRun,
)

#: working days the parties have to confirm an agreement
CONFIRM_WORKDAYS = 5
#: a run queued or running this long is taken to be lost (worker stopped or killed) and frees the slot
STALE_AFTER = dt.timedelta(hours=2)
RUN_PREFIX = "DX"


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
    """The proposals a run stored before it failed were never shown (and no party could act on
    them): they go. ``reason`` is kept on the run."""
    ProposalBlock.objects.filter(run_id=run_id).delete()
    RunParty.objects.filter(run_id=run_id).delete()


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


class _Lost(Exception):
    """The run was given up as stale while it computed: what it wrote goes too."""


#: a loop table this large is stored by a second thread on its own connection (PostgreSQL), while
#: this one writes the members' lines: the two servers' halves of the work overlap
BACKGROUND_MIN_LOOPS = 50_000


class _Writer(threading.Thread):
    """Stores the loop table on its own database connection; ``finish()`` waits and re-raises."""

    def __init__(self, write):
        super().__init__(name="setoff-proposals", daemon=True)
        self.write, self.error = write, None

    def run(self) -> None:
        try:
            self.write()
        except BaseException as exc:  # re-raised in the computing thread by finish()
            self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def compute(run_id: int) -> SetoffRun:
    """Compute a queued run (called by the worker).

    The loop table is stored in blocks, a few per short transaction, so a very large run never
    holds the database's write lock (all of it, on SQLite) for long and the site keeps taking
    writes meanwhile; it stays invisible until the final transaction marks the run done. On
    PostgreSQL a large table is stored by a second thread while this one writes the members' lines
    and notices. A failure marks the run failed and removes whatever it had stored.
    """
    claimed = SetoffRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), phase="读取债权债务快照", progress=5)
    if not claimed:
        return SetoffRun.objects.get(pk=run_id)
    t0 = time.perf_counter()
    writer = None
    try:
        snap = read_snapshot()
        _progress(run_id, "求解最优抵销", 25)
        result = solve_snapshot(snap)
        _progress(run_id, "写入抵销协议", 60)
        deadline = add_workdays(today_china(), CONFIRM_WORKDAYS)
        per_org: dict[int, np.ndarray] = {}
        if result is not None and len(result.loops):
            write, per_org = _prepare_proposals(run_id, snap, result.loops)
            if connection.vendor == "postgresql" and len(result.loops) >= BACKGROUND_MIN_LOOPS:
                writer = _Writer(write)
                writer.start()
            else:
                write()
        number = SetoffRun.objects.values_list("number", flat=True).get(pk=run_id)
        try:
            with transaction.atomic():
                _member_lines(run_id, number, snap, result, deadline, per_org)
                if writer is not None:
                    writer.finish()
                run = SetoffRun.objects.select_for_update().get(pk=run_id)
                if run.status != RunStatus.RUNNING:  # given up as stale meanwhile
                    raise _Lost
                _finish(run, snap, result, deadline, time.perf_counter() - t0)
        except _Lost:
            with transaction.atomic():
                _void_written(run_id, "测算超时未完成，本批次作废")
            return SetoffRun.objects.get(pk=run_id)
    except BaseException as exc:  # a killed worker (SystemExit, KeyboardInterrupt) cleans up too
        if writer is not None:
            writer.join()  # nothing may still be writing when the run's rows are removed
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

    __slots__ = ("_parties", "amount", "creditor", "debtor", "ids", "kind", "liquidity")

    def __init__(self, ids, debtor, creditor, amount, kind=None, liquidity: dict[int, int] | None = None):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.debtor = np.asarray(debtor, dtype=np.int64)
        self.creditor = np.asarray(creditor, dtype=np.int64)
        self.amount = np.asarray(amount, dtype=np.int64)
        self.kind = np.zeros(len(self.ids), dtype=np.int8) if kind is None else np.asarray(kind, dtype=np.int8)
        #: organisation id -> declared cash (fen) it may pay into debt chains in this run
        self.liquidity = dict(liquidity or {})
        self._parties = None

    def parties(self) -> tuple[np.ndarray, np.ndarray]:
        """The organisations in the snapshot (sorted) and, per row, the position of its debtor and
        then of its creditor among them (``2 × len`` codes) — computed once, used by the solve and
        by the members' lines."""
        if self._parties is None:
            self._parties = np.unique(np.concatenate([self.debtor, self.creditor]), return_inverse=True)
        return self._parties

    def __len__(self) -> int:
        return len(self.ids)

    def to_bytes(self) -> bytes:
        """An ``.npz`` archive, deflated at level 1: a third of the size for a quarter second, and a
        value PostgreSQL stores as is (its own TOAST compression of 30 MB took three seconds)."""
        buf = io.BytesIO()
        np.savez(buf, ids=self.ids, debtor=self.debtor, creditor=self.creditor, amount=self.amount,
                            kind=self.kind, liquidity_org=np.fromiter(self.liquidity, dtype=np.int64),
                            liquidity_fen=np.fromiter(self.liquidity.values(), dtype=np.int64))
        return zlib.compress(buf.getvalue(), 1)

    @classmethod
    def from_bytes(cls, data: bytes) -> Snapshot:
        data = bytes(data)
        if not data.startswith(b"PK"):  # runs stored before snapshots were deflated are plain .npz
            data = zlib.decompress(data)
        with np.load(io.BytesIO(data)) as z:
            liquidity = dict(zip(z["liquidity_org"].tolist(), z["liquidity_fen"].tolist(), strict=True))
            return cls(z["ids"], z["debtor"], z["creditor"], z["amount"], z["kind"], liquidity)


_SNAPSHOT_SQL = ("SELECT id, debtor_id, creditor_id, outstanding_fen FROM setoff_obligation "
                 "WHERE status = %s AND opted_out = %s AND outstanding_fen > 0 ORDER BY id")
#: live pieces of active certificates, and pledged ones whose pledgee has given its standing consent
#: (effective pledge, no pledged transfer under way); pieces reserved for a transfer, an offset or a
#: purchase stay out
_PIECES_SQL = ("SELECT p.id, c.debtor_id, p.holder_id, p.amount_fen FROM certificates_piece p "
               "JOIN certificates_certificate c ON c.id = p.certificate_id "
               "WHERE c.status = %s AND p.holder_id <> c.debtor_id AND (p.status = %s OR (p.status = %s AND EXISTS ("
               "SELECT 1 FROM certificates_pledge g JOIN setoff_pledgeeconsent s ON s.organisation_id = g.pledgee_id "
               "WHERE g.piece_id = p.id AND g.status = %s AND s.status = %s AND NOT EXISTS ("
               "SELECT 1 FROM certificates_pledgedtransfer t WHERE t.pledge_id = g.id AND t.status IN (%s, %s))))) "
               "ORDER BY p.id")


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
    held_obl, held_pieces, held_cash = proposals.held_by_unacted(proposals.open_runs())
    open_parts = AgreementPart.objects.filter(agreement__status=AgreementStatus.PROPOSED,
                                              agreement__run__status=RunStatus.DONE)
    for pk, fen in (open_parts.filter(obligation__isnull=False).values("obligation_id")
                    .annotate(s=Sum("amount_fen")).values_list("obligation_id", "s")):
        held_obl[pk] = held_obl.get(pk, 0) + fen
    for pk, fen in (open_parts.filter(piece__isnull=False).values("piece_id")
                    .annotate(s=Sum("amount_fen")).values_list("piece_id", "s")):
        held_pieces[pk] = held_pieces.get(pk, 0) + fen
    obl = _rows(_SNAPSHOT_SQL, [ObligationStatus.CONFIRMED, False], held_obl)
    pieces = _rows(_PIECES_SQL, ["active", "live", "pledged", "effective", "active", "requested", "consented"],
                   held_pieces)
    arr = np.concatenate([obl, pieces])
    kind = np.concatenate([np.full(len(obl), OBLIGATION, np.int8), np.full(len(pieces), PIECE, np.int8)])
    return Snapshot(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], kind, available_liquidity(held_cash))


def available_liquidity(held_cash: dict[int, int] | None = None) -> dict[int, int]:
    """Declared cash still free per member: active, unexpired declarations less what executed
    chains used and what chains awaiting signatures would use (``held_cash``: the chains nobody
    has acted on yet, from ``proposals.held_by_unacted``)."""
    if held_cash is None:
        held_cash = proposals.held_by_unacted(proposals.open_runs())[2]
    free: dict[int, int] = defaultdict(int, {org: -fen for org, fen in held_cash.items()})
    for org_id, amount, used in LiquidityDeclaration.objects.usable(today_china()).values_list(
            "organisation_id", "amount_fen", "used_fen"):
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
    orgs, codes = snap.parties()
    n = len(snap)
    names = [str(o) for o in orgs.tolist()]
    ids = (snap.ids * 2 + snap.kind).astype(StringDType())  # the solver's id type: no second conversion
    ledger = Ledger.from_codes(ids, names, codes[:n], codes[n:], snap.amount, None, checked=True)
    present = set(names)
    liquidity = {str(org): fen for org, fen in snap.liquidity.items() if str(org) in present}
    return solve(ledger, NettingOptions(min_parties=2, liquidity=liquidity))


# --- writing the result -------------------------------------------------------------------------


def _member_lines(run_id: int, number: str, snap: Snapshot, result, deadline: dt.date,
                  per_org: dict[int, np.ndarray]) -> None:
    """Each member's line (what it owes and is owed in the snapshot, what is cleared, its loops) and
    the notice to each member with agreements to confirm, in the run's final transaction."""
    orgs, codes = snap.parties()
    debtor_at, creditor_at = codes[:len(snap)], codes[len(snap):]
    looped = np.fromiter(per_org, dtype=np.int64)
    if len(np.setdiff1d(looped, orgs)):  # pragma: no cover - every loop party is in the snapshot
        raise RuntimeError("a loop party is not in the run's snapshot")
    payable, receivable, cleared = (np.zeros(len(orgs), dtype=np.int64) for _ in range(3))
    np.add.at(payable, debtor_at, snap.amount)  # arrays over the members: 100k dicts cost a second
    np.add.at(receivable, creditor_at, snap.amount)
    if result is not None:
        np.add.at(cleared, debtor_at, result.cleared)
    agreements = np.zeros(len(orgs), dtype=np.int64)
    agreements[np.searchsorted(orgs, looped)] = [len(v) for v in per_org.values()]
    empty = b""
    copy_rows(RunParty, ["run_id", "organisation_id", "payable_fen", "receivable_fen", "cleared_fen", "agreements",
                         "loops"],
              [(run_id, org_id, p, r, c, a, per_org[org_id].tobytes() if a else empty)
               for org_id, p, r, c, a in zip(orgs.tolist(), payable.tolist(), receivable.tolist(), cleared.tolist(),
                                             agreements.tolist(), strict=True)])
    table = connection.ops.quote_name(RunParty._meta.db_table)
    notify_select(f"SELECT organisation_id, '抵销测算 ' || %s || '：贵单位有 ' || CAST(agreements AS TEXT) "  # noqa: S608
                  f"|| ' 份抵销协议待确认' AS title FROM {table} WHERE run_id = %s AND agreements > 0",
                  [number, run_id], f"请于 {deadline:%Y-%m-%d} 前在“债权债务 › 抵销协议”中确认；逾期未确认的协议失效。",
                  obj=SetoffRun(pk=run_id), kind="setoff.agreements")


def _finish(run: SetoffRun, snap: Snapshot, result, deadline: dt.date, seconds: float) -> None:
    """Totals, the snapshot and the audit event; the run becomes done (and its agreements visible)
    in the same transaction as its members' lines."""
    blob = snap.to_bytes()
    run.snapshot_sha256 = hashlib.sha256(blob).hexdigest()
    run.obligations_count = len(snap)
    run.deadline = deadline
    counts = {"bilateral": 0, "multilateral": 0, "chain": 0}
    if result is not None:
        run.total_fen, run.nid_fen, run.cleared_fen = result.total_fen, result.nid_fen, result.cleared_fen
        run.parties_count = len(result.ledger.parties)
        counts = {k: result.loops.count(k) for k in counts}
        run.liquidity_fen = sum(snap.liquidity.values())
        run.paid_fen = result.liquidity_used_fen
        run.cleared_without_liquidity_fen = result.cleared_without_liquidity
    run.loops_count = counts["bilateral"] + counts["multilateral"] + counts["chain"]
    run.bilateral_count, run.multilateral_count = counts["bilateral"], counts["multilateral"]
    run.chain_count = counts["chain"]
    run.status, run.active_slot, run.phase, run.progress = RunStatus.DONE, None, "完成", 100
    run.finished_at, run.seconds = timezone.now(), round(seconds, 3)
    run.save(update_fields=[f.name for f in SetoffRun._meta.concrete_fields if not f.primary_key and f.name != "snapshot"])
    write_blob(SetoffRun, run.pk, "snapshot", blob)  # tens of MB: bound as binary, not as SQL text
    audit.record(None, "setoff.run.done", run, summary={
        "number": run.number, "obligations": run.obligations_count, "total_fen": run.total_fen,
        "cleared_fen": run.cleared_fen, "nid_fen": run.nid_fen, "agreements": run.loops_count,
        "chains": run.chain_count, "paid_fen": run.paid_fen, "snapshot_sha256": run.snapshot_sha256})


def _prepare_proposals(run_id: int, snap: Snapshot, loops):
    """Fix the run's agreement ids; return the function that stores the loop table in blocks
    (``proposals.py``) and each organisation's loop numbers."""
    with transaction.atomic():
        SetoffRun.objects.filter(pk=run_id).update(agreement_base=proposals.next_base())
    org_of = np.array([int(p) for p in loops.parties], dtype=np.int64)

    def write() -> None:
        proposals.write_blocks(run_id, loops, org_of, snap.kind[loops.part_obligation],
                               snap.ids[loops.part_obligation],
                               progress=lambda f: _progress(run_id, "写入抵销协议", 60 + int(35 * f)))

    return write, proposals.member_loops(loops, org_of)


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
