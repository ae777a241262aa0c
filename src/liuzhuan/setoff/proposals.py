"""A run's proposals kept compact: the loop table in blocks, an agreement row only once acted on.

A 1M-obligation run proposes some 450,000 agreements with 2.5M party and 2.8M obligation lines.
Writing all of them as rows cost 19–30 × the solve itself (bench/README.md). Nearly all of them
are only ever read, so a run stores them the way the solver holds them — flat arrays, ``BLOCK``
loops per ``ProposalBlock`` row — and each member's line (``RunParty.loops``) lists the loop
numbers it sits in. The agreement of loop ``k`` has the id ``run.agreement_base + k + 1``: its
pages, PDF and API are the same whether or not it has a row yet.

The first confirmation or decline writes the agreement, its parties and parts as rows (in that
action's transaction), and from then on the rows are the record: decisions, execution, voiding.
Until then an agreement is *proposed* up to the run's deadline and *lapsed* after it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from liuzhuan.core.dates import today_china
from liuzhuan.core.sql import copy_rows, execute

from .models import (
    Agreement,
    AgreementPart,
    AgreementParty,
    AgreementStatus,
    PartyDecision,
    ProposalBlock,
    RunParty,
    RunStatus,
    SetoffRun,
)

#: loops per stored block (a page of agreements touches a handful of blocks)
BLOCK = 1024
KIND_NAMES = ("bilateral", "multilateral", "chain")
#: what a part sets off (as in the run's snapshot): a registered obligation or a certificate piece
OBLIGATION, PIECE = 0, 1


# --- writing -------------------------------------------------------------------------------------


def next_base() -> int:
    """The id after every agreement id any run has given out (rows or not)."""
    top = Agreement.objects.aggregate(m=Max("pk"))["m"] or 0
    for base, n in SetoffRun.objects.filter(loops_count__gt=0).values_list("agreement_base", "loops_count"):
        top = max(top, base + n)
    return top


def write_blocks(run_id: int, loops, org_of: np.ndarray, part_kind: np.ndarray, part_id: np.ndarray,
                 progress=None) -> None:
    """Store the loop table (organisation ids, snapshot kinds and ids resolved) in blocks, one short
    transaction per few blocks so a large run never holds the database's write lock for long."""
    n = len(loops)
    leg_ptr, part_ptr = loops.leg_ptr, loops.part_ptr
    rows = []
    for k0 in range(0, n, BLOCK):
        k1 = min(n, k0 + BLOCK)
        g0, g1 = int(leg_ptr[k0]), int(leg_ptr[k1])
        p0, p1 = int(part_ptr[g0]), int(part_ptr[g1])
        arr = np.concatenate([
            np.array([k1 - k0, g1 - g0, p1 - p0], dtype=np.int64),
            loops.kind[k0:k1].astype(np.int64), loops.amount[k0:k1], leg_ptr[k0:k1 + 1] - g0,
            org_of[loops.leg_debtor[g0:g1]], org_of[loops.leg_creditor[g0:g1]], part_ptr[g0:g1 + 1] - p0,
            part_kind[p0:p1].astype(np.int64), part_id[p0:p1], loops.part_amount[p0:p1]])
        rows.append((run_id, k0 // BLOCK, zlib.compress(arr.tobytes(), 1)))
        if len(rows) == 64 or k1 == n:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # no flush per block transaction: the blocks are invisible until the run's final
                    # commit, which is synchronous and flushes the log up to it, blocks included
                    execute("SET LOCAL synchronous_commit TO OFF")
                copy_rows(ProposalBlock, ["run_id", "block", "data"], rows)
            rows = []
            if progress:
                progress(k1 / n)


def member_loops(loops, org_of: np.ndarray) -> dict[int, np.ndarray]:
    """Organisation id -> the loop numbers it is a party to (leg debtors, and a chain's last creditor)."""
    leg_counts = np.diff(loops.leg_ptr)
    leg_loop = np.repeat(np.arange(len(loops), dtype=np.int64), leg_counts)
    chains = np.flatnonzero(loops.kind == 2)
    last_creditor = org_of[loops.leg_creditor[loops.leg_ptr[chains + 1] - 1]]
    org = np.concatenate([org_of[loops.leg_debtor], last_creditor])
    loop = np.concatenate([leg_loop, chains])
    order = np.lexsort((loop, org))
    org, loop = org[order], loop[order]
    keep = np.r_[True, (org[1:] != org[:-1]) | (loop[1:] != loop[:-1])]  # a party twice in a loop: once
    org, loop = org[keep], loop[keep]
    cut = np.flatnonzero(np.r_[True, org[1:] != org[:-1]])
    return dict(zip(org[cut].tolist(), np.split(loop.astype(np.int32), cut[1:]), strict=True))


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: np.ndarray
    amount: np.ndarray
    leg_ptr: np.ndarray
    leg_debtor: np.ndarray
    leg_creditor: np.ndarray
    part_ptr: np.ndarray
    part_kind: np.ndarray
    part_id: np.ndarray
    part_amount: np.ndarray


def _unpack(data: bytes) -> Block:
    arr = np.frombuffer(zlib.decompress(bytes(data)), dtype=np.int64)
    nl, ng, npart = (int(x) for x in arr[:3])
    out, at = [], 3
    for size in (nl, nl, nl + 1, ng, ng, ng + 1, npart, npart, npart):
        out.append(arr[at:at + size])
        at += size
    return Block(*out)


def _block(run: SetoffRun, b: int) -> Block:
    """A finished run's blocks never change: cached per process, keyed by what identifies the run's
    content (its snapshot's hash) as well as its id, which a restored or rolled-back database may reuse."""
    return _cached_block(run.pk, b, run.snapshot_sha256, run.created_at)


@lru_cache(maxsize=256)
def _cached_block(run_id: int, b: int, sha: str, created_at) -> Block:
    data = ProposalBlock.objects.filter(run_id=run_id, block=b).values_list("data", flat=True).first()
    if data is None:
        raise LookupError(f"run {run_id} has no block {b}")
    return _unpack(data)


@dataclass(frozen=True)
class Proposal:
    """Loop ``k`` of a run as the solver proposed it."""

    run: SetoffRun
    k: int
    kind: str
    amount_fen: int
    parties: list[tuple[int, int]]  # (position, organisation id)
    parts: list[tuple[int, int, int, int]]  # (leg, OBLIGATION|PIECE, id, amount)

    @property
    def agreement_id(self) -> int:
        return self.run.agreement_base + self.k + 1


def proposal(run: SetoffRun, k: int) -> Proposal:
    blk = _block(run, k // BLOCK)
    i = k % BLOCK
    g0, g1 = int(blk.leg_ptr[i]), int(blk.leg_ptr[i + 1])
    kind = KIND_NAMES[int(blk.kind[i])]
    debtors = blk.leg_debtor[g0:g1].tolist()
    parties = list(enumerate(debtors))
    if kind == "chain":
        parties.append((len(debtors), int(blk.leg_creditor[g1 - 1])))
    parts = []
    for leg, j in enumerate(range(g0, g1)):
        p0, p1 = int(blk.part_ptr[j]), int(blk.part_ptr[j + 1])
        parts += [(leg, kd, pid, amt) for kd, pid, amt in zip(blk.part_kind[p0:p1].tolist(), blk.part_id[p0:p1].tolist(),
                                                             blk.part_amount[p0:p1].tolist(), strict=True)]
    return Proposal(run, k, kind, int(blk.amount[i]), parties, parts)


def loops_of(run_id: int, org_id: int) -> np.ndarray:
    data = RunParty.objects.filter(run_id=run_id, organisation_id=org_id).values_list("loops", flat=True).first()
    return np.frombuffer(bytes(data), dtype=np.int32).astype(np.int64) if data else np.zeros(0, dtype=np.int64)


def loops_holding(run: SetoffRun, org_id: int, obligation_id: int) -> list[int]:
    """Loop numbers of ``org_id``'s loops in the run that set off part of this obligation."""
    loops = loops_of(run.pk, org_id)
    found: list[int] = []
    for b in np.unique(loops // BLOCK).tolist():
        blk = _block(run, b)
        part_loop = np.repeat(np.repeat(np.arange(len(blk.amount)), np.diff(blk.leg_ptr)), np.diff(blk.part_ptr))
        hit = (blk.part_kind == OBLIGATION) & (blk.part_id == obligation_id)
        found += (np.unique(part_loop[hit]) + b * BLOCK).tolist()
    return found


def run_of(agreement_id: int) -> SetoffRun | None:
    """The finished run whose loop this agreement id is."""
    return (SetoffRun.objects.defer("snapshot").filter(status=RunStatus.DONE, agreement_base__lt=agreement_id,
                                                      loops_count__gt=0)
            .order_by("-agreement_base").first())


def locate(agreement_id: int) -> tuple[SetoffRun, int] | None:
    run = run_of(agreement_id)
    if run is None or agreement_id > run.agreement_base + run.loops_count:
        return None
    return run, agreement_id - run.agreement_base - 1


def virtual_status(run: SetoffRun, today=None) -> str:
    """An agreement nobody has acted on: proposed until the run's deadline, lapsed after."""
    return AgreementStatus.PROPOSED if (today or today_china()) <= run.deadline else AgreementStatus.LAPSED


def number(run: SetoffRun, k: int) -> str:
    return f"{run.number}-{k + 1:06d}"


def unsaved(p: Proposal) -> Agreement:
    """The agreement of a proposal as an (unsaved) model instance, with ``party_list`` and
    ``part_list`` of unsaved parties and parts: what pages, PDF and API show."""
    run = p.run
    status = virtual_status(run)
    a = Agreement(pk=p.agreement_id, number=number(run, p.k), run=run, kind=p.kind, amount_fen=p.amount_fen,
                  parties_count=len(p.parties), status=status, deadline=run.deadline,
                  close_reason="" if status == AgreementStatus.PROPOSED else f"截至 {run.deadline:%Y-%m-%d} 各方均未确认")
    a.created_at = run.finished_at
    a.party_list = [AgreementParty(agreement_id=a.pk, organisation_id=org, position=pos, decision=PartyDecision.PENDING)
                    for pos, org in p.parties]
    a.part_list = [AgreementPart(agreement_id=a.pk, obligation_id=pid if kd == OBLIGATION else None,
                                 piece_id=pid if kd == PIECE else None, leg=leg, amount_fen=amt)
                   for leg, kd, pid, amt in p.parts]
    a.is_virtual = True
    return a


def materialize(agreement_id: int) -> bool:
    """Write the agreement of a proposed loop as rows (inside the caller's transaction), unless
    they exist. Returns False when the id is no loop of a finished run."""
    if Agreement.objects.filter(pk=agreement_id).exists():
        return True
    where = locate(agreement_id)
    if where is None:
        return False
    a = unsaved(proposal(*where))
    try:
        with transaction.atomic():  # a savepoint: another party may be writing the same rows
            copy_rows(Agreement, ["id", "number", "run_id", "kind", "amount_fen", "parties_count", "status", "deadline",
                                  "created_at", "close_reason"],
                      [(a.pk, a.number, a.run_id, a.kind, a.amount_fen, a.parties_count, AgreementStatus.PROPOSED,
                        a.deadline, a.created_at, "")])
            copy_rows(AgreementParty, ["agreement_id", "organisation_id", "position", "decision", "reason"],
                      [(a.pk, p.organisation_id, p.position, PartyDecision.PENDING, "") for p in a.party_list])
            copy_rows(AgreementPart, ["agreement_id", "obligation_id", "piece_id", "leg", "amount_fen"],
                      [(a.pk, p.obligation_id, p.piece_id, p.leg, p.amount_fen) for p in a.part_list])
    except IntegrityError:
        if not Agreement.objects.filter(pk=agreement_id).exists():
            raise
    return True


def run_blocks(run: SetoffRun):
    """Every block of a run, in order (the worker's and the daily job's bulk reads)."""
    for b, data in ProposalBlock.objects.filter(run_id=run.pk).order_by("block").values_list("block", "data").iterator():
        yield b, _unpack(data)


def unacted(run: SetoffRun) -> np.ndarray:
    """Loop numbers of a run that have no agreement row (nobody has confirmed or declined them)."""
    rows = np.fromiter(Agreement.objects.filter(run_id=run.pk).values_list("pk", flat=True), dtype=np.int64)
    return np.setdiff1d(np.arange(run.loops_count, dtype=np.int64), rows - run.agreement_base - 1)


def held_by_unacted(runs) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """What the untouched proposals of open runs hold: fen per obligation, per piece, and the cash a
    chain's payer would pay (agreements with rows are counted from their rows by the caller)."""
    keys, amounts, payers, cash = [], [], [], []
    for run in runs:
        free = np.zeros(run.loops_count, dtype=bool)
        free[unacted(run)] = True
        for b, blk in run_blocks(run):
            k0 = b * BLOCK
            loop_free = free[k0:k0 + len(blk.amount)]
            leg_loop = np.repeat(np.arange(len(blk.amount)), np.diff(blk.leg_ptr))
            part_loop = np.repeat(leg_loop, np.diff(blk.part_ptr))
            mask = loop_free[part_loop]
            keys.append(blk.part_id[mask] * 2 + blk.part_kind[mask])
            amounts.append(blk.part_amount[mask])
            chains = np.flatnonzero((blk.kind == 2) & loop_free)
            payers.append(blk.leg_debtor[blk.leg_ptr[chains]])
            cash.append(blk.amount[chains])
    if not keys:
        return {}, {}, {}
    key, amount = np.concatenate(keys), np.concatenate(amounts)
    uniq, inv = np.unique(key, return_inverse=True)
    sums = np.zeros(len(uniq), dtype=np.int64)
    np.add.at(sums, inv, amount)
    obl = {int(k // 2): int(s) for k, s in zip(uniq.tolist(), sums.tolist(), strict=True) if k % 2 == OBLIGATION}
    pieces = {int(k // 2): int(s) for k, s in zip(uniq.tolist(), sums.tolist(), strict=True) if k % 2 == PIECE}
    pay: dict[int, int] = {}
    for org, amt in zip(np.concatenate(payers).tolist(), np.concatenate(cash).tolist(), strict=True):
        pay[org] = pay.get(org, 0) + amt
    return obl, pieces, pay


def open_runs(today=None):
    """Finished runs whose agreements may still be confirmed."""
    return list(SetoffRun.objects.defer("snapshot").filter(status=RunStatus.DONE, loops_count__gt=0,
                                                           deadline__gte=today or today_china()))
