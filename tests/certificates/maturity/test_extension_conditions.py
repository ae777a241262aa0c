"""Extension under the agreed conditions (「到期未获全部清偿且符合约定情形的，未清偿债权自动展期」):
only when the agreed situations hold, and only the unpaid pieces move."""

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.ledger.models import Piece
from liuzhuan.certificates.maturity import actions as maturity
from liuzhuan.certificates.maturity.models import CertificateExtension, ExtensionNotice
from liuzhuan.certificates.maturity.rules import maturity_plan
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.core.errors import DomainError, NotFound
from liuzhuan.core.models import AuditEvent

from ..conftest import app_input, issue
from ..helpers import days, finish_offset, state, verified


def _cert(world, *conditions, **kw):
    return issue(world, maturity_date=days(10), extension_days=30, extension_max=2, extension_conditions=conditions, **kw)


def test_plan_stops_at_an_unmet_condition():
    plan = maturity_plan(days(10), days(50), outstanding_fen=1, extension_days=30, extension_max=3, extensions_used=0,
                         unmet_on=lambda day: ("债务人申请",) if day == days(40) else ())
    assert plan.extensions == ((days(10), days(40)),) and plan.overdue_since == days(41) and plan.unmet == ("债务人申请",)


def test_applied_condition_needs_the_debtors_application(world):
    cert, _ = _cert(world, "applied")
    maturity.process_maturities(days(11))
    cert.refresh_from_db()
    assert cert.extension_count == 0 and cert.overdue_since == days(11) and cert.maturity_date == days(10)
    why = AuditEvent.objects.get(action="certificate.overdue").summary["why"]
    assert "不符合约定的展期情形" in why and "债务人于到期日（含）前提出展期申请" in why
    assert verified()


def test_applied_condition_met(world):
    cert, _ = _cert(world, "applied")
    n = maturity.file_extension_notice(world.bob, cert.pk, "request", "资金周转")
    assert n.for_maturity == days(10)
    maturity.process_maturities(days(11))
    cert.refresh_from_db()
    assert cert.extension_count == 1 and cert.maturity_date == days(40) and cert.overdue_since is None
    # the next maturity needs its own application
    maturity.process_maturities(days(41))
    cert.refresh_from_db()
    assert cert.extension_count == 1 and cert.overdue_since == days(41)


def test_a_holders_objection_stops_the_extension(world):
    cert, _ = _cert(world, "no_dispute")
    with pytest.raises(DomainError) as exc:
        maturity.file_extension_notice(world.alice, cert.pk, "dispute", "")
    assert exc.value.field == "reason"
    maturity.file_extension_notice(world.alice, cert.pk, "dispute", "不同意展期")
    maturity.process_maturities(days(11))
    cert.refresh_from_db()
    assert cert.extension_count == 0 and cert.overdue_since == days(11)


def test_debtor_in_default_elsewhere_is_not_extended(world):
    other, _ = issue(world, maturity_date=days(5))  # no clause: overdue after day 5
    cert, _ = _cert(world, "debtor_not_in_default")
    maturity.process_maturities(days(11))
    other.refresh_from_db()
    cert.refresh_from_db()
    assert other.overdue_since == days(6) and cert.overdue_since == days(11) and cert.extension_count == 0


def test_only_unpaid_pieces_are_extended_settled_keep_their_dates(world, api, client):
    cert, piece = _cert(world)
    off = offset.apply_offset(world.alice, piece.pk, "asset", 300_000_00)
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[offset.add_asset(world.bob, kind="house", name="房", list_price_fen=1).pk])
    offset.propose_offset_price(world.alice, off.pk, 300_000_00, off.offered_assets.get().pk)
    offset.accept_offset_price(world.bob, off.pk)
    finish_offset(off, world.bob, world.alice, world.clerk)
    maturity.process_maturities(days(11))
    cert.refresh_from_db()
    settled = Piece.objects.get(certificate=cert, status="offset")
    live = Piece.objects.get(certificate=cert, status="live")
    assert cert.maturity_date == days(40) and live.maturity == days(40) and live.maturity_date is None
    assert settled.maturity == days(10)  # the offset piece keeps the date it was settled under
    ext = CertificateExtension.objects.get()
    assert ext.outstanding_fen == live.amount_fen == 700_000_00 and ext.extended_pieces == [live.number]
    maturity.process_maturities(days(41))
    settled.refresh_from_db()
    assert settled.maturity_date == days(10)  # a second extension does not move it either
    assert api(world.alice).get(f"/certificates/pieces/{settled.pk}").json()["maturity_date"] == days(10).isoformat()
    assert api(world.alice).get(f"/certificates/pieces/{live.pk}").json()["maturity_date"] == days(70).isoformat()
    client.force_login(world.alice)
    assert "本分段了结时的到期日" in client.get(f"/certificates/pieces/{settled.pk}/").content.decode()
    assert verified()


def test_notice_refusals_change_nothing(world, api):
    cert, _ = _cert(world, "applied")
    plain, _ = _cert(world)  # no conditions agreed
    before = state()
    for actor, cert_id, kind, code in [
        (world.alice, cert.pk, "request", "debtor_only"),  # only the debtor applies
        (world.bob, cert.pk, "dispute", "holder_only"),
        (world.bob, plain.pk, "request", "condition_not_agreed"),
    ]:
        with pytest.raises(DomainError) as exc:
            maturity.file_extension_notice(actor, cert_id, kind, "x")
        assert exc.value.code == code
    with pytest.raises(NotFound):  # wrong organisation: not a party at all
        maturity.file_extension_notice(world.outsider, cert.pk, "request", "x")
    assert state() == before and not ExtensionNotice.objects.exists()
    r = api(world.outsider).post(f"/certificates/certs/{cert.pk}/extension-notices", {"kind": "request", "reason": ""})
    assert r.status_code == 404
    r = api(world.alice).post(f"/certificates/certs/{cert.pk}/extension-notices", {"kind": "request", "reason": ""})
    assert r.status_code == 400 and r.json()["code"] == "debtor_only" and r.json()["field"] == "kind"
    r = api(world.bob).post(f"/certificates/certs/{cert.pk}/extension-notices", {"kind": "request", "reason": "周转"})
    assert r.status_code == 201
    again = api(world.bob).post(f"/certificates/certs/{cert.pk}/extension-notices", {"kind": "request", "reason": "周转"})
    assert again.status_code == 409
    m = api(world.alice).get(f"/certificates/certs/{cert.pk}/maturity").json()
    assert m["extension_conditions"] == ["applied"] and [n["kind"] for n in m["notices"]] == ["request"]
    assert "债务人于到期日（含）前提出展期申请" in m["rule"]


def test_late_application_refused(world):
    cert, _ = _cert(world, "applied")
    maturity.process_maturities(days(11))  # overdue now
    with pytest.raises(DomainError) as exc:
        maturity.file_extension_notice(world.bob, cert.pk, "request", "晚了")
    assert exc.value.code == "past_maturity"


def test_conditions_need_a_clause_and_known_codes(world, api):
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(world.bob_org, extension_conditions=("applied",)))
    assert exc.value.field == "extension_conditions"
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(world.bob_org, extension_days=30, extension_max=1,
                                                           extension_conditions=("weather",)))
    assert exc.value.code == "extension_condition_invalid"
    r = api(world.alice).post("/certificates/applications", {
        "counterparty_id": world.bob_org.pk, "role": "creditor", "contract_no": "HT-9", "contract_title": "供货合同",
        "contract_date": days(-1).isoformat(), "amount_fen": 100_00, "maturity_date": days(30).isoformat(), "offset_scope": ["house"],
        "non_cash_declared": True, "extension_days": 30, "extension_max": 1, "extension_conditions": ["no_dispute", "applied"]})
    assert r.status_code == 201, r.json()
    assert "债务人于到期日（含）前提出展期申请、到期日（含）前无持有人对展期提出异议" in r.json()["extension"]


def test_extension_page_files_and_refuses(world, client):
    cert, _ = _cert(world, "applied", "no_dispute")
    url = f"/certificates/c/{cert.pk}/extension/"
    client.force_login(world.outsider)  # wrong organisation
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "request", "reason": "x"}).status_code == 404
    client.force_login(world.alice)  # the holder may not apply for the debtor
    page = client.post(url, {"kind": "request", "reason": "x"})
    assert page.status_code == 200 and "展期申请须由债务人提出" in page.content.decode()
    assert not ExtensionNotice.objects.exists()
    client.force_login(world.bob)
    assert client.post(url, {"kind": "request", "reason": "资金周转"}).status_code == 302
    html = client.get(url).content.decode()
    assert "债务人展期申请" in html and "资金周转" in html and "债务人于到期日（含）前提出展期申请" in html
    assert ExtensionNotice.objects.get().org == world.bob_org
