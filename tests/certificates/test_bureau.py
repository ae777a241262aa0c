"""The finance bureau (区财政局, seed 五（一）「负责指导…开展日常业务指导和监督管理」) reads what the other
oversight roles read — certificate ledger pages, offsets, applications, 存量业务 and 资金监管 — through
pages and the API, and is refused every certificate write."""

import datetime as dt

import pytest

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.escrow import actions as escrow
from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.issuance import legacy
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role

from ..conftest import make_org, make_user
from .conftest import app_input, issue
from .helpers import TODAY, days, pdf, state


@pytest.fixture
def bureau(db):
    return make_user(make_org("临河区财政局", Role.BUREAU, org_type="institution"), "czj_test")


def _received_offset(world, piece):
    off = offset.apply_offset(world.alice, piece.pk, "debt", 100_000_00, payable_contract_ref="CG-1", payable_fen=100_000_00,
                              payable_due_date=days(10))
    offset.add_offset_evidence(world.alice, off.pk, "payable", "cg.pdf", pdf("cg"))
    return offset.confirm_debt_setoff(world.bob, off.pk)


def _legacy(world):
    return legacy.record_legacy_certificate(world.clerk, legacy.LegacyInput(
        creditor_id=world.alice_org.pk, debtor_id=world.bob_org.pk, original_no="OLD-1", original_issue_date=dt.date(2025, 1, 2),
        contract_no="HT", contract_title="合同", contract_date=dt.date(2025, 1, 1), amount_fen=50_000_00, maturity_date=days(60),
        offset_scope=("house",)))


def test_bureau_reads_what_the_regulator_reads_through_the_api(world, api, bureau):
    cert, piece = issue(world)
    off = _received_offset(world, piece)
    _legacy(world)
    escrow.record_agreement(world.clerk, bank_id=world.bank_org.pk, account_name="监管户", account_no="622800", scopes=["sale_proceeds"],
                            start_date=TODAY)
    fin, reg = api(bureau), api(world.inspector)
    for path in ("/certificates/offsets", "/certificates/applications", "/certificates/escrow-accounts", "/certificates/legacy-certificates",
                 "/certificates/pieces?all_statuses=true"):
        mine, theirs = fin.get(path), reg.get(path)
        assert mine.status_code == 200, path
        assert mine.json() == theirs.json(), path
        assert mine.json()["count"] >= 1, path
    assert fin.get(f"/certificates/offsets/{off.pk}").json()["status"] == "received"
    assert fin.get(f"/certificates/pieces/{piece.pk}").json()["certificate"] == cert.number
    assert fin.get("/certificates/legacy-certificates/summary").json()["open"] == 1


def test_bureau_reads_the_oversight_pages(world, client, bureau):
    cert, piece = issue(world)
    off = _received_offset(world, piece)
    old = _legacy(world)
    client.force_login(bureau)
    for url, needle in (("/certificates/issued/", cert.number), (f"/certificates/c/{cert.pk}/", cert.number),
                        (f"/certificates/pieces/{piece.pk}/", piece.number), ("/certificates/lifecycle/offsets/", off.number),
                        (f"/certificates/lifecycle/offsets/{off.pk}/", "CG-1"), ("/certificates/legacy/", old.legacy_original_no),
                        ("/certificates/escrow/", "资金监管协议")):
        r = client.get(url)
        assert r.status_code == 200 and needle in r.content.decode(), url
    page = client.get(f"/certificates/lifecycle/offsets/{off.pk}/").content.decode()
    assert "办理注销登记" not in page  # no operator buttons for the bureau


def test_bureau_is_refused_every_certificate_write(world, api, client, bureau):
    _cert, piece = issue(world)
    off = _received_offset(world, piece)
    before = state()
    for call in (lambda: offset.register_offset_cancellation(bureau, off.pk),
                 lambda: offset.return_offset_delivery(bureau, off.pk, "x"),
                 lambda: circulation.offer_transfer(bureau, piece.pk, world.carol_org.pk, 1000_00, "ZR"),
                 lambda: pledging.create_pledge(bureau, piece.pk, world.bank_org.pk, 1000_00, "ZY", 1000_00, TODAY, days(30)),
                 lambda: issuance.create_application(bureau, app_input(world.bob_org)),
                 lambda: escrow.record_agreement(bureau, bank_id=world.bank_org.pk, account_name="户", account_no="1",
                                                 scopes=["sale_proceeds"], start_date=TODAY),
                 lambda: legacy.record_legacy_certificate(bureau, None)):
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.status in (403, 404)
    assert state() == before
    fin = api(bureau)
    for path, body in ((f"/certificates/offsets/{off.pk}/cancellation", {}), (f"/certificates/offsets/{off.pk}/return", {"reason": "x"}),
                       (f"/certificates/pieces/{piece.pk}/transfer", {"to_org_id": world.carol_org.pk, "amount_fen": 1000_00, "agreement_ref": "Z"}),
                       ("/certificates/escrow-accounts", {"bank_id": world.bank_org.pk, "account_name": "户", "account_no": "1",
                                                         "scopes": ["sale_proceeds"], "start_date": TODAY.isoformat()})):
        r = fin.post(path, body)
        assert r.status_code in (403, 404), (path, r.status_code)
        assert r.json()["code"], path
    client.force_login(bureau)
    assert client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "register"}).status_code == 404  # not a party
    r = client.post("/certificates/legacy/", {"original_no": "X"})
    assert "此操作仅限债权管理服务机构办理" in r.content.decode()
    r = client.post("/certificates/escrow/", {"form": "record", "bank": world.bank_org.pk, "account_name": "户", "account_no": "1",
                                              "scopes": ["sale_proceeds"], "start_date": TODAY.isoformat()})
    assert r.status_code == 200 and "此操作仅限债权管理服务机构办理" in r.content.decode()
    off.refresh_from_db()
    assert off.status == "received" and state() == before
