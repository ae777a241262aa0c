"""Maturity and extension (展期): the daily job extends under the clause up to the maximum, marks
the rest overdue, reminds before maturity, and changes nothing when run twice the same day."""

import datetime as dt

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import Certificate
from liuzhuan.certificates.maturity import actions as maturity
from liuzhuan.certificates.maturity.models import CertificateExtension
from liuzhuan.certificates.maturity.rules import maturity_plan
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ..conftest import issue
from ..helpers import days, finish_offset, state, verified


def _cert(world, **kw):
    return issue(world, **kw)


def test_extension_then_idempotent(world):
    cert, _ = _cert(world, maturity_date=days(10), extension_days=30, extension_max=2)
    run_day = days(11)
    assert maturity.process_maturities(days(10))["展期"] == 0  # due at the end of the maturity day
    result = maturity.process_maturities(run_day)
    cert.refresh_from_db()
    assert result["展期"] == 1 and cert.maturity_date == days(40) and cert.extension_count == 1 and cert.overdue_since is None
    ext = CertificateExtension.objects.get()
    assert (ext.seq, ext.from_date, ext.to_date, ext.outstanding_fen) == (1, days(10), days(40), cert.face_fen)
    assert AuditEvent.objects.filter(action="certificate.extend").count() == 1
    assert Notification.objects.filter(kind="extension", organisation=world.alice_org).exists()
    assert Notification.objects.filter(kind="extension", organisation=world.bob_org).exists()
    before = state()
    assert maturity.process_maturities(run_day) == {"展期": 0, "逾期": 0, "到期提醒": 0, "结清": 0}
    assert state() == before
    assert verified()


def test_extensions_exhausted_then_overdue(world):
    cert, piece = _cert(world, maturity_date=days(10), extension_days=30, extension_max=2)
    maturity.process_maturities(days(11))
    maturity.process_maturities(days(41))
    result = maturity.process_maturities(days(71))
    cert.refresh_from_db()
    assert result["逾期"] == 1 and cert.extension_count == 2 and cert.maturity_date == days(70)
    assert cert.overdue_since == days(71) and cert.status == "active"
    event = AuditEvent.objects.get(action="certificate.overdue")
    assert event.summary["why"] == "展期次数已用完"
    # overdue pieces stay transferable and offsettable
    offer = circulation.offer_transfer(world.alice, piece.pk, world.bank_org.pk, 100_000_00, "ZR")
    offset.apply_offset(world.alice, piece.children.get(status="live").pk, "asset", 100_000_00)
    assert offer.status == "offered"
    before = state()
    maturity.process_maturities(days(72))
    assert state() == before
    assert verified()


def test_missed_days_catch_up_in_one_run(world):
    cert, _ = _cert(world, maturity_date=days(10), extension_days=30, extension_max=3)
    maturity.process_maturities(days(75))  # two periods passed: 10 → 40 → 70, still before 75 → 100
    cert.refresh_from_db()
    assert cert.extension_count == 3 and cert.maturity_date == days(100) and cert.overdue_since is None


def test_no_clause_means_overdue(world):
    cert, _ = _cert(world, maturity_date=days(5))
    assert maturity.process_maturities(days(6))["逾期"] == 1
    cert.refresh_from_db()
    assert cert.overdue_since == days(6) and cert.extension_count == 0
    assert AuditEvent.objects.get(action="certificate.overdue").summary["why"] == "凭证无展期条款"


def test_settled_certificate_is_not_extended(world):
    cert, piece = _cert(world, maturity_date=days(5), extension_days=30, extension_max=1)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[offset.add_asset(world.bob, kind="house", name="房", list_price_fen=1).pk])
    offset.propose_offset_price(world.alice, off.pk, piece.amount_fen, off.offered_assets.get().pk)
    offset.accept_offset_price(world.bob, off.pk)
    finish_offset(off, world.bob, world.alice, world.clerk)
    cert.refresh_from_db()
    assert cert.status == "settled"
    assert maturity.process_maturities(days(6)) == {"展期": 0, "逾期": 0, "到期提醒": 0, "结清": 0}


def test_reminder_once_per_maturity(world):
    _cert(world, maturity_date=days(10), extension_days=30, extension_max=1)
    assert maturity.process_maturities(days(2))["到期提醒"] == 0  # 8 days before
    assert maturity.process_maturities(days(3))["到期提醒"] == 1  # 7 days before
    assert maturity.process_maturities(days(4))["到期提醒"] == 0
    assert Notification.objects.filter(kind="maturity_reminder", organisation=world.alice_org).count() == 1
    maturity.process_maturities(days(11))  # extended to day 40
    assert maturity.process_maturities(days(35))["到期提醒"] == 1  # a new maturity gets its own reminder


def test_daily_command_is_idempotent(world):
    cert, _ = _cert(world, maturity_date=days(3), extension_days=10, extension_max=1)
    call_command("daily", date=days(4).isoformat())
    before = state()
    call_command("daily", date=days(4).isoformat())
    assert state() == before
    cert.refresh_from_db()
    assert cert.maturity_date == days(13)


def test_api_page_and_visibility(world, api, client):
    cert, _ = _cert(world, maturity_date=days(3), extension_days=10, extension_max=2)
    maturity.process_maturities(days(4))
    r = api(world.alice).get(f"/certificates/certs/{cert.pk}/maturity")
    body = r.json()
    assert r.status_code == 200 and body["extension_count"] == 1 and body["maturity_date"] == days(13).isoformat()
    assert body["extensions"][0]["to_date"] == days(13).isoformat() and "自动展期" in body["rule"]
    assert api(world.outsider).get(f"/certificates/certs/{cert.pk}/maturity").status_code == 404
    assert api(world.inspector).get(f"/certificates/certs/{cert.pk}/maturity").status_code == 200
    client.force_login(world.alice)
    html = client.get(f"/certificates/c/{cert.pk}/").content.decode()
    assert "到期与展期" in html and "标记为逾期" in html and f"{days(13):%Y-%m-%d}" in html


@given(maturity_offset=st.integers(-400, 30), ext_days=st.one_of(st.none(), st.integers(1, 120)), ext_max=st.integers(1, 6),
       used=st.integers(0, 6), outstanding=st.integers(0, 10))
def test_plan_is_idempotent_and_bounded(maturity_offset, ext_days, ext_max, used, outstanding):
    today = dt.date(2026, 6, 1)
    maturity = today + dt.timedelta(days=maturity_offset)
    used = min(used, ext_max)
    plan = maturity_plan(maturity, today, outstanding_fen=outstanding, extension_days=ext_days, extension_max=ext_max, extensions_used=used)
    assert used + len(plan.extensions) <= (ext_max if ext_days else used)
    if plan.overdue_since is None:
        assert plan.maturity >= today or outstanding == 0
    else:
        assert plan.overdue_since == plan.maturity + dt.timedelta(days=1) and plan.maturity < today
    again = maturity_plan(plan.maturity, today, outstanding_fen=outstanding, extension_days=ext_days, extension_max=ext_max,
                          extensions_used=used + len(plan.extensions))
    assert again.extensions == () and (plan.overdue_since is None or again.overdue_since == plan.overdue_since)


@pytest.mark.parametrize("kw", [{"extension_days": 30, "extension_max": 1}])
def test_integrity_catches_tampered_extension_count(world, kw):
    from liuzhuan.core.integrity import run_all

    cert, _ = _cert(world, maturity_date=days(3), **kw)
    maturity.process_maturities(days(4))
    Certificate.objects.filter(pk=cert.pk).update(extension_count=5)
    assert any("展期" in p for p in run_all().problems)
