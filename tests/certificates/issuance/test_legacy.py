"""存量业务 (seed 六（三）「本方案发布前…已开展的…流转业务…自本方案发布之日起不得新增；存量业务须依法依规
妥善处置至完结」): the operator records a pre-policy certificate; it is flagged 存量 on pages, the API
and the PDF, cannot be transferred, split, pledged or sold, can be offset, and is listed with a
count still open for the operator, the regulator and the bureau."""

import datetime as dt

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.issuance import legacy
from liuzhuan.certificates.issuance.legacy import LegacyInput
from liuzhuan.certificates.ledger.models import Certificate
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role

from ...conftest import make_org, make_user
from ..helpers import TODAY, days, finish_offset, purchaser, state, verified

BEFORE = dt.date(2025, 6, 30)


def _input(world, **kw):
    base = dict(creditor_id=world.alice_org.pk, debtor_id=world.bob_org.pk, original_no="LHQ-2025-031", original_issue_date=BEFORE,
                contract_no="GX-2025-9", contract_title="钢材供货合同", contract_date=dt.date(2025, 6, 1), amount_fen=300_000_00,
                maturity_date=days(90), offset_scope=("house", "consumption"))
    base.update(kw)
    return LegacyInput(**base)


def _record(world, **kw):
    return legacy.record_legacy_certificate(world.clerk, _input(world, **kw))


def test_recorded_flagged_and_wound_down_only(world):
    cert = _record(world)
    piece = cert.pieces.get()
    assert cert.legacy and cert.issue_date == BEFORE and piece.holder == world.alice_org and cert.application.status == "issued"
    before = state()
    with pytest.raises(DomainError) as exc:  # whole transfer
        circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "ZR-1")
    assert exc.value.code == "certificate_legacy"
    with pytest.raises(DomainError) as exc:  # a partial transfer would split it
        circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_000_00, "ZR-1")
    assert exc.value.code == "certificate_legacy"
    with pytest.raises(DomainError) as exc:
        pledging.create_pledge(world.alice, piece.pk, world.bank_org.pk, piece.amount_fen, "ZY-1", 100_000_00, TODAY, days(365))
    assert exc.value.code == "certificate_legacy"
    _org, buyer = purchaser(world)
    before = state()
    with pytest.raises(DomainError) as exc:
        purchase.request_commitment(world.alice, cert.pk, buyer.organisation_id, price_kind="percent", price_bp=9500, lockup_end=days(30),
                                    expiry=days(120), conditions="x", agreement_ref="WT-1")
    assert exc.value.code == "certificate_legacy"
    assert state() == before
    # winding down: an offset of part of it is allowed and leaves a live remainder
    off = offset.apply_offset(world.alice, piece.pk, "consumption", 100_000_00)
    offset.offer_offset_options(world.bob, off.pk, consumption_scope="超市")
    offset.propose_offset_price(world.alice, off.pk, 100_000_00)
    off = offset.accept_offset_price(world.bob, off.pk)
    off = finish_offset(off, world.bob, world.alice, world.clerk)
    assert off.status == "completed"
    s = legacy.legacy_summary()
    assert s["total"] == 1 and s["open"] == 1 and s["outstanding_fen"] == 200_000_00
    assert verified()


def test_record_refusals(world):
    before = state()
    for kw, code in (({"original_issue_date": dt.date(2025, 9, 1)}, "not_before_policy"), ({"original_no": ""}, "original_no_required"),
                     ({"amount_fen": 0}, "amount_not_positive"), ({"debtor_id": world.alice_org.pk}, "same_party"),
                     ({"holder_id": world.bob_org.pk}, "holder_is_debtor"), ({"creditor_id": world.regulator_org.pk}, "creditor_invalid"),
                     ({"offset_scope": ()}, "offset_scope_required"), ({"contract_date": dt.date(2025, 7, 1)}, "contract_date_invalid")):
        with pytest.raises(DomainError) as exc:
            _record(world, **kw)
        assert exc.value.code == code, kw
    for user in (world.alice, world.inspector, world.banker):
        with pytest.raises(DomainError) as exc:
            legacy.record_legacy_certificate(user, _input(world))
        assert exc.value.status == 403
    assert state() == before and not Certificate.objects.exists()
    _record(world)
    with pytest.raises(DomainError) as exc:
        _record(world)
    assert exc.value.code == "legacy_duplicate"


def test_policy_start_is_a_setting(world, settings):
    settings.LIUZHUAN_POLICY_START_DATE = dt.date(2025, 3, 1)
    with pytest.raises(DomainError) as exc:
        _record(world)  # 2025-06-30 is after that start
    assert exc.value.code == "not_before_policy" and "2025-03-01" in exc.value.message


def test_api_flags_and_lists(world, api):
    bureau_org = make_org("财政局", Role.BUREAU, org_type="institution")
    bureau = make_user(bureau_org, "czj")
    clerk, alice, outsider, fin = api(world.clerk), api(world.alice), api(world.outsider), api(bureau)
    payload = {"creditor_id": world.alice_org.pk, "debtor_id": world.bob_org.pk, "original_no": "LHQ-1", "original_issue_date": "2025-05-01",
               "contract_no": "HT", "contract_title": "合同", "contract_date": "2025-04-01", "amount_fen": 100_000_00,
               "maturity_date": days(30).isoformat(), "offset_scope": ["house"]}
    r = clerk.post("/certificates/legacy-certificates", {**payload, "original_issue_date": "2025-10-01"})
    assert r.status_code == 400 and r.json()["field"] == "original_issue_date"
    assert alice.post("/certificates/legacy-certificates", payload).status_code == 403
    assert fin.post("/certificates/legacy-certificates", payload).status_code == 403
    r = clerk.post("/certificates/legacy-certificates", payload)
    assert r.status_code == 201 and r.json()["legacy"] is True
    for who in (clerk, fin, api(world.inspector)):
        assert who.get("/certificates/legacy-certificates/summary").json()["open"] == 1
        assert who.get("/certificates/legacy-certificates", open=True).json()["count"] == 1
    assert alice.get("/certificates/legacy-certificates").status_code == 403
    assert outsider.get("/certificates/legacy-certificates/summary").status_code == 403
    piece = Certificate.objects.get().pieces.get()
    assert alice.get(f"/certificates/pieces/{piece.pk}").json()["legacy"] is True
    r = alice.post(f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.carol_org.pk, "amount_fen": 100_000_00,
                                                                   "agreement_ref": "ZR"})
    assert r.status_code == 400 and r.json()["code"] == "certificate_legacy"


def test_pages_and_pdf(world, client):
    cert = _record(world)
    piece = cert.pieces.get()
    client.force_login(world.alice)
    assert client.get("/certificates/legacy/").status_code == 404
    assert "存量" in client.get(f"/certificates/pieces/{piece.pk}/").content.decode()
    assert "存量" in client.get("/certificates/").content.decode()
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"to_org": world.carol_org.pk, "amount": "1000", "agreement_ref": "ZR"})
    assert "为方案发布前的存量业务，不得新增转让" in r.content.decode()
    assert piece.__class__.objects.get(pk=piece.pk).status == "live"
    client.force_login(world.clerk)
    page = client.get("/certificates/legacy/").content.decode()
    assert "尚未处置完结 <b>1</b>" in page and "LHQ-2025-031" in page
    assert "存量" in client.get("/certificates/issued/").content.decode()
    r = client.post("/certificates/legacy/", {"creditor": world.alice_org.pk, "debtor": world.bob_org.pk, "original_no": "LHQ-2",
                                              "original_issue_date": "2025-12-01", "contract_no": "HT", "contract_title": "合同",
                                              "contract_date": "2025-01-01", "amount": "1000", "maturity_date": days(9).isoformat(),
                                              "offset_scope": ["house"]})
    assert "须早于方案发布之日 2025-09-01" in r.content.decode()
    client.force_login(world.inspector)
    r = client.post("/certificates/legacy/", {"creditor": world.alice_org.pk, "debtor": world.bob_org.pk, "original_no": "LHQ-3",
                                              "original_issue_date": "2025-01-01", "contract_no": "HT", "contract_title": "合同",
                                              "contract_date": "2025-01-01", "amount": "1000", "maturity_date": days(9).isoformat(),
                                              "offset_scope": ["house"]})
    assert "此操作仅限" in r.content.decode() and Certificate.objects.count() == 1
    r = client.get(f"/verify/{piece.number}?code={piece.verify_code}")
    assert r.status_code == 200 and "LHQ-2025-031" in r.content.decode()
    from ..paper.test_pdf_verify import _pdf_text
    assert "【存量】方案发布前开展的业务（原编号LHQ-2025-031），不得新增" in _pdf_text(piece)
