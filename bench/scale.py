"""Scaled demo data for the page benchmark (``bench/pages.py``): the demo world, then at scale 1
100k certificate pieces, 100k obligations and 10k bridge loans over thousands of organisations.

Run inside a configured Django process (``bench/pages.py load`` does that) on a database that
holds the migrated schema and ``liuzhuan demo``. Rows go in with ``core.sql.copy_rows`` (``COPY``
on PostgreSQL, one prepared ``executemany`` on SQLite) under keys from ``reserve_ids`` and numbers
from the real counters, so later actions keep numbering after them. Seeded: the same scale gives
the same data.

What is made, and why ``liuzhuan verify`` still passes:

- organisations: active enterprises (member role), industries and size classes drawn at random;
- certificates: each an issued joint application, a certificate and its piece tree. The shapes:
  held whole; split in two; transferred whole (the parent ``transferred``, an accepted transfer
  registration with a new piece for the transferee, no fee); split and one half transferred;
  pledged whole to a bank (an effective, registered pledge); offset (ended ``offset``). Every
  certificate's held and ended pieces add up to its face and every passed-on piece's children to
  its amount (the conservation check); every pledged piece has exactly one open pledge. A share of
  the pieces is held by the demo SME ``sme01`` (``sme01_boss``), the "member with many pieces";
- obligations: confirmed, pending, disputed and withdrawn debts between random pairs (outstanding
  = amount: no executed set-off), ``sme01`` party to a share of them;
- bridge loans: applications from random SMEs at the demo's two banks under their agreements, in
  every status; a repaid loan has one repayment row equal to its principal and fee (the
  repayment check).

Dates spread over the last 18 months so that monthly and quarterly trends have points.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

BASE_PIECES = 100_000
BASE_OBLIGATIONS = 100_000
BASE_LOANS = 10_000
BASE_ORGS = 5_000
HEAVY_SHARE = 0.03  # of pieces, obligations and loans that involve sme01
CHUNK = 20_000


def _put(model, objs) -> None:
    """Insert instances whose pk is already set (every concrete field, pk included)."""
    from liuzhuan.core import sql

    if not objs:
        return
    names = [f.attname for f in model._meta.concrete_fields]
    for start in range(0, len(objs), CHUNK):
        part = objs[start:start + CHUNK]
        sql.copy_rows(model, names, [[o.__dict__[n] for n in names] for o in part])


def _aware(day: dt.date, rnd: random.Random) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rnd.randrange(9), rnd.randrange(60))))


def organisations(n: int, rnd: random.Random) -> list[int]:
    from liuzhuan.core import sql
    from liuzhuan.core.roles import Role
    from liuzhuan.members.classification import INDUSTRIES
    from liuzhuan.members.demo import REGION
    from liuzhuan.members.identity import make_uscc
    from liuzhuan.members.models import Organisation, OrganisationRole

    ids = sql.reserve_ids(Organisation, n)
    industries = [c for c, _ in INDUSTRIES]
    orgs = [Organisation(
        pk=pk, name=f"巴彦淖尔市测试企业{i:05d}有限公司", org_type="enterprise", legal_id=make_uscc(f"91{REGION}{500000 + i:09d}"),
        legal_representative="测试", contact_name="测试", contact_phone=f"0478-{i:07d}", address="内蒙古自治区巴彦淖尔市临河区",
        industry=rnd.choice(industries), enterprise_size=rnd.choice(["medium", "small", "small", "micro", "micro"]),
        status="active", channel="on_site", capacity_declared_at=_aware(dt.date(2025, 1, 1), rnd)) for i, pk in enumerate(ids)]
    _put(Organisation, orgs)
    role_ids = sql.reserve_ids(OrganisationRole, n)
    _put(OrganisationRole, [OrganisationRole(pk=r, organisation_id=o, role=Role.MEMBER) for r, o in zip(role_ids, ids, strict=True)])
    return ids


def _piece_maker(pieces: list, piece_ids, cert, at):
    """``piece(holder, amount, status, origin, parent)``: the certificate's next piece, numbered
    ``<certificate>-001`` on, counted in ``cert.piece_count``."""
    from liuzhuan.certificates.ledger.models import Piece

    cert.piece_count = 0

    def piece(holder: int, amount: int, status: str, origin: str, parent: int | None = None) -> Piece:
        cert.piece_count += 1
        p = Piece(pk=next(piece_ids), number=f"{cert.number}-{cert.piece_count:03d}", certificate_id=cert.pk, parent_id=parent,
                  holder_id=holder, amount_fen=amount, status=status, origin=origin, created_at=at,
                  ended_at=None if status in ("live", "pledged") else at)
        pieces.append(p)
        return p

    return piece


def certificates(target_pieces: int, org_ids: list[int], heavy: int, banks: list[int], rnd: random.Random, today: dt.date) -> dict:
    from liuzhuan.certificates.issuance.models import Application
    from liuzhuan.certificates.ledger.models import Certificate, Piece, Transfer
    from liuzhuan.certificates.pledge.models import Pledge
    from liuzhuan.core import sql
    from liuzhuan.core.numbers import next_numbers
    from liuzhuan.members.models import User

    operator = User.objects.get(username="op_checker")
    boss = User.objects.get(username="sme01_boss")
    # shapes: (name, pieces it makes, weight)
    shapes = [("whole", 1, 35), ("split", 3, 20), ("transfer", 2, 22), ("split_transfer", 4, 10), ("pledge", 1, 6),
              ("offset", 1, 4), ("split_offset", 3, 3)]
    avg = sum(p * w for _, p, w in shapes) / sum(w for _, _, w in shapes)
    n_cert = max(1, round(target_pieces / avg))
    plan = rnd.choices([s for s, _, _ in shapes], weights=[w for _, _, w in shapes], k=n_cert)
    n_transfers = sum(1 for s in plan if s in ("transfer", "split_transfer"))
    n_pledges = plan.count("pledge")
    app_ids, cert_ids = sql.reserve_ids(Application, n_cert), sql.reserve_ids(Certificate, n_cert)
    app_nos, cert_nos = next_numbers("SQ", today.year, n_cert), next_numbers("LZ", today.year, n_cert)
    reg_nos, pledge_nos = next_numbers("BG", today.year, n_transfers), next_numbers("ZY", today.year, n_pledges)
    transfer_ids, pledge_ids = sql.reserve_ids(Transfer, n_transfers), sql.reserve_ids(Pledge, n_pledges)
    total_pieces = sum(p for s, p, _ in shapes for x in plan if x == s)
    piece_ids = iter(sql.reserve_ids(Piece, total_pieces))
    apps, certs, pieces, transfers, pledges = [], [], [], [], []
    ti = pi = 0

    def other(than: int) -> int:
        while True:
            o = heavy if rnd.random() < HEAVY_SHARE else rnd.choice(org_ids)
            if o != than:
                return o

    for i, shape in enumerate(plan):
        creditor = heavy if rnd.random() < HEAVY_SHARE else rnd.choice(org_ids)
        debtor = other(creditor)
        issued = today - dt.timedelta(days=rnd.randrange(540))
        maturity = issued + dt.timedelta(days=rnd.choice([90, 180, 270, 365, 540]))
        face = rnd.randrange(10_000, 5_000_000) * 100
        at = _aware(issued, rnd)
        apps.append(Application(
            pk=app_ids[i], number=app_nos[i], creditor_id=creditor, debtor_id=debtor, contract_no=f"HT-{i:07d}",
            contract_title="工程施工合同", contract_date=issued - dt.timedelta(days=30), amount_fen=face, maturity_date=maturity,
            settle_by_asset=True, settle_by_consumption=True, offset_scope=["house", "consumption"], non_cash_declared=True,
            status="issued", created_by_id=boss.pk, created_at=at, creditor_confirmed_by_id=boss.pk, creditor_confirmed_at=at,
            debtor_confirmed_by_id=boss.pk, debtor_confirmed_at=at, prepared_by_id=operator.pk, prepared_action="approve",
            prepared_at=at, decided_by_id=operator.pk, decided_at=at))
        cert = Certificate(pk=cert_ids[i], number=cert_nos[i], application_id=app_ids[i], creditor_id=creditor, debtor_id=debtor,
                           operator_id=operator.organisation_id, face_fen=face, maturity_date=maturity, issue_date=issued,
                           issued_at=at, issued_by_id=operator.pk, status="active")
        certs.append(cert)
        piece = _piece_maker(pieces, piece_ids, cert, at)
        if shape == "whole":
            piece(creditor, face, "live", "issue")
        elif shape == "offset":
            piece(creditor, face, "offset", "issue")
        elif shape == "pledge":
            root = piece(creditor, face, "pledged", "issue")
            pledgee = rnd.choice(banks)
            if pledgee == creditor:
                root.status = "live"
            else:
                pledges.append(Pledge(
                    pk=pledge_ids[pi], number=pledge_nos[pi], certificate_id=cert.pk, piece_id=root.pk, pledgor_id=creditor,
                    pledgee_id=pledgee, amount_fen=face, contract_ref=f"ZYHT-{i:07d}", secured_fen=face, start_date=issued,
                    end_date=maturity, registration_no=f"DJ{i:010d}", registration_date=issued, status="effective",
                    created_by_id=boss.pk, created_at=at, effective_at=at))
            pi += 1
        else:
            root = piece(creditor, face, "split" if shape.startswith("split") else "transferred", "issue")
            halves = [(root, face)] if shape == "transfer" else [(None, face // 2), (None, face - face // 2)]
            if shape.startswith("split"):
                halves = [(piece(creditor, amt, "live", "split", root.pk), amt) for _, amt in halves]
            if shape in ("transfer", "split_transfer"):
                src = halves[0][0]
                to = other(creditor)
                if shape == "split_transfer":
                    src.status, src.ended_at = "transferred", at
                new = piece(to, src.amount_fen, "live", "transfer", src.pk)
                transfers.append(Transfer(
                    pk=transfer_ids[ti], piece_id=src.pk, from_org_id=creditor, to_org_id=to, amount_fen=src.amount_fen,
                    agreement_ref=f"ZR-{i:07d}", status="accepted", offered_by_id=boss.pk, offered_at=at,
                    deadline=issued + dt.timedelta(days=5), decided_by_id=boss.pk, decided_at=at, registration_no=reg_nos[ti],
                    new_piece_id=new.pk, fee_fen=0))
                ti += 1
            if shape == "split_offset":
                halves[1][0].status, halves[1][0].ended_at = "offset", at
    pledge_used = pi
    _put(Application, apps)
    _put(Certificate, certs)
    pieces.sort(key=lambda p: p.pk)  # parents before children (the self-reference)
    _put(Piece, pieces)
    _put(Transfer, transfers)
    _put(Pledge, pledges)
    return {"certificates": n_cert, "pieces": len(pieces), "transfers": len(transfers), "pledges": len(pledges),
            "pledge_numbers_used": pledge_used, "pieces_of_sme01": sum(1 for p in pieces if p.holder_id == heavy)}


def obligations(n: int, org_ids: list[int], heavy: int, rnd: random.Random, today: dt.date) -> dict:
    from liuzhuan.core import sql
    from liuzhuan.core.numbers import next_numbers
    from liuzhuan.members.models import User
    from liuzhuan.setoff.models import Obligation
    from liuzhuan.setoff.register.actions import NUMBER_PREFIX

    boss = User.objects.get(username="sme01_boss")
    ids, numbers = sql.reserve_ids(Obligation, n), next_numbers(NUMBER_PREFIX, today.year, n)
    statuses = rnd.choices(["confirmed", "pending", "disputed", "withdrawn"], weights=[80, 10, 5, 5], k=n)
    rows = []
    for i in range(n):
        creditor = heavy if rnd.random() < HEAVY_SHARE / 2 else rnd.choice(org_ids)
        debtor = heavy if creditor != heavy and rnd.random() < HEAVY_SHARE / 2 else rnd.choice(org_ids)
        if debtor == creditor:
            debtor = org_ids[(org_ids.index(creditor) + 1) % len(org_ids)] if creditor in org_ids else org_ids[0]
        amount = int(rnd.lognormvariate(13.6, 1.2)) + 100
        at = _aware(today - dt.timedelta(days=rnd.randrange(540)), rnd)
        status = statuses[i]
        rows.append(Obligation(
            pk=ids[i], number=numbers[i], creditor_id=creditor, debtor_id=debtor, amount_fen=amount, outstanding_fen=amount,
            due_date=at.date() + dt.timedelta(days=rnd.randrange(30, 365)), basis=f"合同 HT-O-{i:07d}", status=status,
            channel=rnd.choice(["form", "upload", "api"]), registered_by_org_id=creditor, registered_by_id=boss.pk, registered_at=at,
            confirmed_by_id=boss.pk if status == "confirmed" else None, confirmed_at=at if status == "confirmed" else None,
            confirmed_how="confirm" if status == "confirmed" else "", dispute_reason="金额待核对" if status == "disputed" else ""))
    _put(Obligation, rows)
    return {"obligations": n}


def loans(n: int, org_ids: list[int], heavy: int, rnd: random.Random, today: dt.date) -> dict:
    from liuzhuan.bridge.models.application import Application, ChecklistVersion
    from liuzhuan.bridge.models.banks import BankAgreement
    from liuzhuan.bridge.models.loan import Repayment
    from liuzhuan.core import sql
    from liuzhuan.members.models import User

    agreements = list(BankAgreement.objects.values_list("pk", "bank_id"))
    checklist = ChecklistVersion.objects.order_by("-version").values_list("pk", flat=True).first()
    if not agreements or checklist is None:
        raise SystemExit("the bridge demo (agreements, checklist) is missing: run liuzhuan demo first")
    boss, clerk = User.objects.get(username="sme01_boss"), User.objects.get(username="xc_clerk")
    head = User.objects.get(username="xc_huang")
    ids = sql.reserve_ids(Application, n)
    statuses = rnd.choices(["repaid", "disbursed", "overdue", "recovery", "submitted", "prepared", "approved", "confirmed",
                            "rejected", "withdrawn"], weights=[80, 2, 1, 0.3, 4, 3, 2, 1.7, 4, 2], k=n)
    apps, repayments = [], []
    rep_ids = iter(sql.reserve_ids(Repayment, statuses.count("repaid")))
    for i, status in enumerate(statuses):
        applicant = heavy if rnd.random() < HEAVY_SHARE / 3 else rnd.choice(org_ids)
        agreement, bank = rnd.choice(agreements)
        live = status in ("disbursed", "overdue", "recovery")
        back = rnd.randrange(3, 60) if live or status not in ("repaid", "rejected", "withdrawn") else rnd.randrange(20, 540)
        draw = today - dt.timedelta(days=back)
        amount = rnd.randrange(50, 500) * 10_000 * 100
        days = rnd.choice([3, 5, 7, 10])
        account = f"6217 0000 {i:06d} 8888"
        disbursed = status in ("repaid", "disbursed", "overdue", "recovery")
        confirmed = disbursed or status == "confirmed"
        fee = amount * 3 * days // 10_000 if disbursed else None
        a = Application(
            pk=ids[i], applicant_id=applicant, submitted_by_id=boss.pk, submitted_at=_aware(draw - dt.timedelta(days=3), rnd),
            submitted_on=draw - dt.timedelta(days=3), checklist_id=checklist, sme_size=rnd.choice(["small", "micro", "medium"]),
            bank_id=bank, agreement_id=agreement, original_contract_no=f"LDB{i:07d}", original_loan_type="working_capital",
            original_due_fen=amount + 20_000_000, original_due_date=draw, classification="normal", loan_account=account,
            renewal_approval_fen=amount, renewal_approval_no=f"续批〔{draw.year}〕{i:05d}号",
            renewal_approval_date=draw - dt.timedelta(days=5), renewal_in_progress=confirmed, amount_fen=amount, planned_days=days,
            planned_draw_date=draw, purpose_confirmed=True, status=status,
            mode="self" if status not in ("submitted", "rejected", "withdrawn") else "",
            prepared_by_id=clerk.pk if status not in ("submitted",) else None,
            approved_by_id=head.pk if confirmed or status == "approved" else None,
            closed_by_id=clerk.pk if status in ("rejected", "withdrawn") else None,
            closed_reason="资料不全" if status in ("rejected", "withdrawn") else "",
            confirmed_account=account if confirmed else "", term_days=days if confirmed else None)
        if disbursed:
            a.disbursed_by_id, a.disbursed_on, a.disbursed_to_account = clerk.pk, draw, account
            a.disbursement_voucher, a.due_date = f"HK{i:07d}", draw + dt.timedelta(days=days)
            a.rate_daily, a.basis, a.planned_fee_fen = Decimal("0.0003"), 360, fee
        if status == "repaid":
            paid = draw + dt.timedelta(days=days - 1)
            a.principal_repaid_fen, a.fee_paid_fen, a.closed_on = amount, fee, paid
            a.renewed_on, a.renewal_contract_no, a.renewal_amount_fen = paid, f"XD{i:07d}", amount
            a.renewal_loan_type = "working_capital"
            repayments.append(Repayment(pk=next(rep_ids), application_id=a.pk, paid_on=paid, payer="borrower", principal_fen=amount,
                                        fee_fen=fee, penalty_fen=0, reference=f"SK{i:07d}", recorded_by_id=clerk.pk,
                                        recorded_at=_aware(paid, rnd)))
        if status in ("overdue", "recovery"):
            a.overdue_since = min(today, draw + dt.timedelta(days=days + 1))
        apps.append(a)
    _put(Application, apps)
    _put(Repayment, repayments)
    return {"loans": n, "repaid": len(repayments)}


def load(scale: float, seed: int = 20261205) -> dict:
    """Add the scaled data to a database that holds the demo world; returns the counts and seconds."""
    from django.db import connection, transaction

    from liuzhuan.core.dates import today_china
    from liuzhuan.members import demo as members_demo

    rnd = random.Random(seed)
    today = today_china()
    out: dict = {"scale": scale}
    t0 = time.perf_counter()
    with transaction.atomic():
        org_ids = organisations(max(50, round(BASE_ORGS * scale)), rnd)
        heavy = members_demo.org("sme01").pk
        banks = [members_demo.org("bank1").pk, members_demo.org("bank2").pk]
        out["organisations"] = len(org_ids)
        out |= certificates(round(BASE_PIECES * scale), org_ids, heavy, banks, rnd, today)
        out |= obligations(round(BASE_OBLIGATIONS * scale), org_ids, heavy, rnd, today)
        out |= loans(round(BASE_LOANS * scale), org_ids, heavy, rnd, today)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    out["load_seconds"] = round(time.perf_counter() - t0, 1)
    return out
