"""Read-only helpers for set-off pages, the API and the regulator's figures.

A member sees the obligations it is party to, the agreements it sits in and its own line of
each run; the operator, the regulator and the finance bureau see everything (read-only for the
last two). Anything else is "not found".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from django.db.models import Count, Q, QuerySet, Sum

from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import NotFound
from liuzhuan.members.classification import INDUSTRIES, SIZES, UNKNOWN
from liuzhuan.members.models import Organisation, User
from liuzhuan.members.queries import sees_all

from . import proposals
from .models import (
    Agreement,
    AgreementPart,
    AgreementParty,
    AgreementStatus,
    LiquidityDeclaration,
    Obligation,
    ObligationStatus,
    ObligationUpload,
    PartyDecision,
    PledgeeConsent,
    RunParty,
    RunStatus,
    SetoffRun,
)


def obligations(user: User, *, side: str = "", status: str = "") -> QuerySet[Obligation]:
    """``side``: "receivable" (I am creditor), "payable" (I am debtor), "awaiting" (I must answer)."""
    # the parties are fetched for the rows shown (prefetch), not joined: joined, SQLite's planner
    # without statistics drove the whole-register page from the organisations through the debtor
    # index and sorted 100k rows (0.35 s) instead of reading the newest 50 by id (0.5 ms)
    qs = Obligation.objects.prefetch_related("creditor", "debtor")
    if not sees_all(user):
        org_id = user.organisation_id
        qs = qs.filter(Q(creditor_id=org_id) | Q(debtor_id=org_id))
        if side == "receivable":
            qs = qs.filter(creditor_id=org_id)
        elif side == "payable":
            qs = qs.filter(debtor_id=org_id)
        elif side == "awaiting":
            qs = qs.filter(status=ObligationStatus.PENDING).exclude(registered_by_org_id=org_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def get_obligation(user: User, obligation_id: int) -> Obligation:
    # one row: its parties joined (the prefetch of the list would cost two more statements)
    o = obligations(user).select_related("creditor", "debtor").filter(pk=obligation_id).first()
    if o is None:
        raise NotFound("债务不存在")
    return o


def register_counts(user: User) -> dict:
    qs = obligations(user)
    org_id = user.organisation_id
    agg = qs.aggregate(
        n=Count("pk"),
        awaiting=Count("pk", filter=Q(status=ObligationStatus.PENDING) & ~Q(registered_by_org_id=org_id)),
        receivable=Sum("outstanding_fen", filter=Q(creditor_id=org_id) & Q(status=ObligationStatus.CONFIRMED)),
        payable=Sum("outstanding_fen", filter=Q(debtor_id=org_id) & Q(status=ObligationStatus.CONFIRMED)),
    )
    return {k: v or 0 for k, v in agg.items()}


def uploads(user: User) -> QuerySet[ObligationUpload]:
    """A member's own large uploads (the worker's), newest first; the file itself is not loaded."""
    return ObligationUpload.objects.filter(organisation_id=user.organisation_id).defer("content").order_by("-id")


def cash_declarations(user: User) -> QuerySet[LiquidityDeclaration]:
    """A member's own declarations and the cash put up for it; a provider's own funding; all for
    the operator and the oversight roles."""
    qs = LiquidityDeclaration.objects.select_related("organisation", "provider")
    if not sees_all(user):
        qs = qs.filter(Q(organisation_id=user.organisation_id) | Q(provider_id=user.organisation_id))
    return qs.order_by("-id")


def consent_overview(user: User) -> dict:
    """The pledgee's consent page: its active consent, what is pledged to it, the history (a member
    sees its own; the operator and oversight roles everyone's)."""
    from liuzhuan.certificates.pledge.models import Pledge, PledgeStatus

    qs = PledgeeConsent.objects.select_related("organisation").order_by("-id")
    if not sees_all(user):
        qs = qs.filter(organisation_id=user.organisation_id)
    pledged = Pledge.objects.filter(pledgee_id=user.organisation_id, status=PledgeStatus.EFFECTIVE).aggregate(
        n=Count("pk"), s=Sum("amount_fen"))
    active = next((c for c in qs if c.status == "active" and c.organisation_id == user.organisation_id), None)
    return {"consents": qs[:200], "active": active, "pledged_count": pledged["n"] or 0,
            "pledged_fen": pledged["s"] or 0}


def runs() -> QuerySet[SetoffRun]:
    return SetoffRun.objects.select_related("started_by").defer("snapshot").order_by("-id")


def get_run(user: User, run_id: int) -> SetoffRun:
    run = runs().filter(pk=run_id).first()
    if run is None:
        raise NotFound("测算批次不存在")
    return run


def my_run_line(user: User, run: SetoffRun) -> RunParty | None:
    return RunParty.objects.filter(run=run, organisation_id=user.organisation_id).first()


def run_parties(run: SetoffRun) -> QuerySet[RunParty]:
    return RunParty.objects.filter(run=run).select_related("organisation").order_by("-cleared_fen", "organisation_id")


class AgreementList(Sequence):
    """Agreement ids newest first, as a sequence of agreements: rows where a party has acted, the
    run's stored proposal otherwise (``proposals.unsaved``). Slicing loads only the slice; every
    agreement comes with ``party_list`` (its parties, each with ``organisation``)."""

    def __init__(self, ids: np.ndarray, runs: dict[int, SetoffRun]):
        self.ids = ids
        self.runs = runs

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return load_agreements(self.ids[i].tolist(), self.runs)
        return load_agreements([int(self.ids[i])], self.runs)[0]


def _done_runs(run_id: int | None) -> dict[int, SetoffRun]:
    qs = SetoffRun.objects.defer("snapshot").filter(status=RunStatus.DONE, loops_count__gt=0)
    if run_id:
        qs = qs.filter(pk=run_id)
    return {r.pk: r for r in qs}


def _run_of_id(agreement_id: int, runs: dict[int, SetoffRun]) -> SetoffRun | None:
    for run in runs.values():
        if run.agreement_base < agreement_id <= run.agreement_base + run.loops_count:
            return run
    return None


def load_agreements(ids: list[int], runs: dict[int, SetoffRun] | None = None) -> list[Agreement]:
    """The agreements with these ids in this order, rows or proposals, each with ``party_list``."""
    rows = {a.pk: a for a in Agreement.objects.select_related("run").filter(pk__in=ids)}
    parties: dict[int, list] = defaultdict(list)
    for p in AgreementParty.objects.filter(agreement_id__in=list(rows)).order_by("position"):
        parties[p.agreement_id].append(p)
    runs = runs if runs is not None else _done_runs(None)
    out = []
    for pk in ids:
        if pk in rows:
            a = rows[pk]
            a.party_list, a.is_virtual = parties[pk], False
        else:
            run = _run_of_id(pk, runs)
            if run is None:
                continue
            a = proposals.unsaved(proposals.proposal(run, pk - run.agreement_base - 1))
        out.append(a)
    _attach_organisations([p for a in out for p in a.party_list])
    return out


def _attach_organisations(parties: list) -> None:
    orgs = Organisation.objects.in_bulk({p.organisation_id for p in parties})
    for p in parties:
        p.organisation = orgs[p.organisation_id]


def agreements(user: User, *, status: str = "", run_id: int | None = None, awaiting: bool = False) -> AgreementList:
    """Agreements of finished runs only (a run still storing its proposals shows none of them): a
    member's own, everyone's for the operator and the oversight roles. ``awaiting``: proposed ones
    this member has not yet answered."""
    runs = _done_runs(run_id)
    rows = Agreement.objects.filter(run_id__in=list(runs))
    member = awaiting or not sees_all(user)
    if member:
        rows = rows.filter(parties__organisation_id=user.organisation_id)
    acted = np.fromiter(rows.values_list("pk", flat=True), dtype=np.int64)
    if awaiting:  # one filter(): the same party row is this member's and still pending
        status = AgreementStatus.PROPOSED
        rows = Agreement.objects.filter(run_id__in=list(runs), parties__organisation_id=user.organisation_id,
                                        parties__decision=PartyDecision.PENDING)
    if status:
        rows = rows.filter(status=status)
    parts = [np.fromiter(rows.values_list("pk", flat=True), dtype=np.int64)]
    today = today_china()
    for run in runs.values():
        if status and proposals.virtual_status(run, today) != status:
            continue
        loops = proposals.loops_of(run.pk, user.organisation_id) if member else np.arange(run.loops_count)
        parts.append(np.setdiff1d(loops + run.agreement_base + 1, acted, assume_unique=True))
    ids = np.unique(np.concatenate(parts))[::-1]
    return AgreementList(ids, runs)


def awaiting_agreements(user: User) -> AgreementList:
    return agreements(user, awaiting=True)


def get_agreement(user: User, agreement_id: int) -> Agreement:
    """One agreement the user may see, with ``party_list`` (and ``part_list`` for a proposal)."""
    found = load_agreements([agreement_id])
    if not found:
        raise NotFound("抵销协议不存在")
    a = found[0]
    if not sees_all(user) and all(p.organisation_id != user.organisation_id for p in a.party_list):
        raise NotFound("抵销协议不存在")
    return a


def agreement_parts(agreement: Agreement) -> list[AgreementPart]:
    """Its parts in leg order, each with the obligation (and its parties) or the piece (with its
    holder and certificate) loaded."""
    if not getattr(agreement, "is_virtual", False):
        return list(agreement.parts.select_related("obligation__creditor", "obligation__debtor", "piece__holder",
                                                   "piece__certificate__debtor").order_by("leg", "id"))
    parts = agreement.part_list
    obligations = Obligation.objects.select_related("creditor", "debtor").in_bulk(
        [p.obligation_id for p in parts if p.obligation_id])
    pieces = Piece.objects.select_related("holder", "certificate__debtor").in_bulk(
        [p.piece_id for p in parts if p.piece_id])
    for p in parts:
        if p.obligation_id:
            p.obligation = obligations[p.obligation_id]
        else:
            p.piece = pieces[p.piece_id]
    return parts


def agreement_detail(agreement: Agreement) -> tuple[list[AgreementParty], list[dict]]:
    """Parties in loop order, and legs: who owes whom, which obligations, how much each."""
    parties = agreement.party_list
    if not getattr(agreement, "is_virtual", False):
        parties = list(agreement.parties.select_related("organisation", "decided_by").order_by("position"))
    legs: dict[int, dict] = {}
    for part in agreement_parts(agreement):
        debtor, creditor = part_parties(part)
        part.label_number, part.label_basis = part_label(part)
        leg = legs.setdefault(part.leg, {"debtor": debtor, "creditor": creditor, "parts": [], "amount_fen": 0})
        leg["parts"].append(part)
        leg["amount_fen"] += part.amount_fen
    return parties, [legs[k] for k in sorted(legs)]


def obligation_agreements(obligation: Obligation) -> list[tuple[Agreement, int]]:
    """The agreements that set off part of this obligation, newest first, with the amount each
    holds on it: rows, and the open proposals among its debtor's loops."""
    out = [(p.agreement, p.amount_fen) for p in obligation.parts.select_related("agreement").order_by("-agreement_id")]
    seen = {a.pk for a, _ in out}
    for run in proposals.open_runs():
        for k in proposals.loops_holding(run, obligation.debtor_id, obligation.pk):
            a = proposals.unsaved(proposals.proposal(run, k))
            if a.pk not in seen:
                out.append((a, sum(p.amount_fen for p in a.part_list if p.obligation_id == obligation.pk)))
    return sorted(out, key=lambda x: -x[0].pk)


def part_parties(part) -> tuple:
    """(debtor, creditor) of what a part sets off: an obligation, or a certificate piece
    (the certificate's debtor owes the piece's holder)."""
    if part.obligation_id:
        return part.obligation.debtor, part.obligation.creditor
    return part.piece.certificate.debtor, part.piece.holder


def part_label(part) -> tuple[str, str]:
    """(number, basis) shown for a part: the obligation's, or the piece's with its certificate."""
    if part.obligation_id:
        return part.obligation.number, part.obligation.basis
    pledged = "（质押分段，质权人已概括同意）" if part.piece.status == "pledged" else ""
    return part.piece.number, f"债权凭证 {part.piece.certificate.number}{pledged}"


def overview() -> dict:
    """Registered, confirmed and cleared to date (the regulator's figures)."""
    agg = Obligation.objects.aggregate(
        registered=Count("pk"), registered_fen=Sum("amount_fen"),
        confirmed_fen=Sum("amount_fen", filter=Q(status__in=[ObligationStatus.CONFIRMED, ObligationStatus.SETTLED])),
        confirmed=Count("pk", filter=Q(status__in=[ObligationStatus.CONFIRMED, ObligationStatus.SETTLED])),
        disputed=Count("pk", filter=Q(status=ObligationStatus.DISPUTED)),
    )
    # what executed agreements discharged: every part (each debt in a loop or chain) by its amount
    executed = Agreement.objects.filter(status=AgreementStatus.EXECUTED).count()
    cleared = AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED).aggregate(
        s=Sum("amount_fen"))["s"]
    return {**{k: v or 0 for k, v in agg.items()}, "executed": executed, "cleared_fen": cleared or 0,
            **_overview_by_class()}


def _overview_by_class() -> dict:
    """``by_industry`` and ``by_size`` from one grouped pass over the register (by debtor, on the
    obligation table alone: no join per row) and one read of the members' classes."""
    per_debtor = list(Obligation.objects.order_by().values_list("debtor_id").annotate(
        n=Count("pk"), fen=Sum("amount_fen"),
        confirmed=Sum("amount_fen", filter=Q(status__in=[ObligationStatus.CONFIRMED, ObligationStatus.SETTLED])),
    ).values_list("debtor_id", "n", "fen", "confirmed"))
    classes = {pk: (industry, size) for pk, industry, size in
               Organisation.objects.values_list("pk", "industry", "enterprise_size")}
    return {"by_industry": overview_by("industry", per_debtor, {k: v[0] for k, v in classes.items()}),
            "by_size": overview_by("size", per_debtor, {k: v[1] for k, v in classes.items()})}


def overview_by(dimension: str, per_debtor: list[tuple], classes: dict[int, str]) -> list[dict]:
    """Registered, confirmed and cleared to date grouped by the *debtor's* industry or size class
    (whose debts they are), largest first; debtors that gave none are grouped as 未填写."""
    field = {"industry": "industry", "size": "enterprise_size"}[dimension]
    labels = dict(INDUSTRIES) if dimension == "industry" else dict(SIZES)
    rows: dict[str, dict] = {}

    def row(key: str) -> dict:
        return rows.setdefault(key or "", {"key": key or "", "label": labels.get(key, UNKNOWN), "registered": 0,
                                           "registered_fen": 0, "confirmed_fen": 0, "cleared_fen": 0})

    for debtor_id, n, fen, confirmed in per_debtor:
        r = row(classes.get(debtor_id) or "")
        r["registered"] += n
        r["registered_fen"] += fen or 0
        r["confirmed_fen"] += confirmed or 0
    executed = AgreementPart.objects.filter(agreement__status=AgreementStatus.EXECUTED)
    for key, fen in executed.filter(obligation__isnull=False).values_list(f"obligation__debtor__{field}").annotate(
            s=Sum("amount_fen")).values_list(f"obligation__debtor__{field}", "s"):
        row(key)["cleared_fen"] += fen or 0
    for key, fen in executed.filter(piece__isnull=False).values_list(f"piece__certificate__debtor__{field}").annotate(
            s=Sum("amount_fen")).values_list(f"piece__certificate__debtor__{field}", "s"):
        row(key)["cleared_fen"] += fen or 0
    return sorted(rows.values(), key=lambda r: (-r["registered_fen"], r["key"]))


# --- pictures (ECharts data; amounts in fen, nodes referenced by index) --------------------------


_REGION = re.compile(r"^[\u4e00-\u9fff]{2,6}?(?:自治区|省|市|区|县|旗)")


def _short(name: str) -> str:
    """A label that fits beside a node: the name without its company-form suffix and region prefixes."""
    for suffix in ("有限责任公司", "股份有限公司", "有限公司"):
        if name.endswith(suffix) and len(name) > len(suffix) + 2:
            name = name[: -len(suffix)]
            break
    for _ in range(2):
        m = _REGION.match(name)
        if m and len(name) - m.end() >= 2:
            name = name[m.end():]
    return name[:8]


def loop_graph(legs: list[dict]) -> dict:
    """The agreement's loop: one node per party in loop order, one arrow per leg (debtor → creditor)."""
    index: dict[int, int] = {}
    nodes: list[dict] = []
    for leg in legs:
        for org in (leg["debtor"], leg["creditor"]):
            if org.pk not in index:
                index[org.pk] = len(nodes)
                nodes.append({"name": org.name, "short": _short(org.name), "value": 0})
    links = []
    for leg in legs:
        links.append({"source": index[leg["debtor"].pk], "target": index[leg["creditor"].pk], "value": leg["amount_fen"],
                      "kind": "payable"})
        nodes[index[leg["debtor"].pk]]["value"] += leg["amount_fen"]
    return {"layout": "circular", "nodes": nodes, "links": links}


def neighbourhood(user: User, limit: int = 50) -> dict:
    """A member and its largest counterparties by confirmed outstanding debt, both directions.

    Only the member's own debts are drawn: what its counterparties owe each other is not its to see.
    """
    org = user.organisation
    rows = (Obligation.objects.filter(status=ObligationStatus.CONFIRMED, outstanding_fen__gt=0)
            .filter(Q(creditor_id=org.pk) | Q(debtor_id=org.pk))
            .values("creditor_id", "debtor_id").annotate(s=Sum("outstanding_fen")))
    per: dict[int, dict[str, int]] = {}
    for r in rows:
        payable = r["debtor_id"] == org.pk
        other = r["creditor_id"] if payable else r["debtor_id"]
        per.setdefault(other, {"payable": 0, "receivable": 0})["payable" if payable else "receivable"] += r["s"]
    top = sorted(per, key=lambda k: -(per[k]["payable"] + per[k]["receivable"]))[: max(limit - 1, 0)]
    names = dict(Organisation.objects.filter(pk__in=top).values_list("pk", "name"))
    nodes = [{"name": org.name, "short": _short(org.name), "center": True,
              "value": sum(v["payable"] + v["receivable"] for v in per.values())}]
    links = []
    for other in top:
        i = len(nodes)
        v = per[other]
        nodes.append({"name": names[other], "short": _short(names[other]), "value": v["payable"] + v["receivable"]})
        if v["payable"]:
            links.append({"source": 0, "target": i, "value": v["payable"], "kind": "payable"})
        if v["receivable"]:
            links.append({"source": i, "target": 0, "value": v["receivable"], "kind": "receivable"})
    return {"layout": "force", "nodes": nodes, "links": links, "hidden": max(len(per) - len(top), 0)}


def run_trend(limit: int = 24) -> dict:
    """Finished runs over time: total, cleared and share (how much more clears as firms join)."""
    done = list(SetoffRun.objects.filter(status="done").defer("snapshot").order_by("-id")[:limit])[::-1]
    return {"labels": [f"{r.created_at:%m-%d} {r.number[-5:]}" for r in done],
            "total": [r.total_fen for r in done], "cleared": [r.cleared_fen for r in done],
            "pct": [float(r.cleared_pct) for r in done], "parties": [r.parties_count for r in done]}
