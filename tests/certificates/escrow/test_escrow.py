"""资金监管 (seed 二(三)「合作银行…提供资金监管等配套服务」): the operator records a supervised-account
agreement, the bank confirms it; while active, offset cash top-ups and purchase proceeds name its
account. A bank sees and decides its own agreements only."""

import pytest

from liuzhuan.certificates.escrow import actions as escrow
from liuzhuan.certificates.escrow.models import SupervisedAccount
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.core.errors import DomainError
from liuzhuan.core.roles import Role

from ...conftest import make_org, make_user
from ..conftest import issue
from ..helpers import TODAY, commitment, days, end_lockup, pdf, purchaser, state

ACCOUNT = "6228480012345678"


def _agreement(world, scopes=("offset_top_up", "sale_proceeds"), confirm=True, account_no=ACCOUNT):
    a = escrow.record_agreement(world.clerk, bank_id=world.bank_org.pk, account_name="运营机构资金监管户", account_no=account_no,
                                scopes=list(scopes), start_date=days(-10))
    return escrow.decide_agreement(world.banker, a.pk, True) if confirm else a


def _other_bank():
    org = make_org("丁银行", Role.BANK, Role.MEMBER)
    return org, make_user(org, "dingbank", "manager")


def test_record_confirm_end(world):
    a = _agreement(world, confirm=False)
    assert a.status == "proposed" and a.scope_label == "抵付补足款、收购价款"
    a = escrow.decide_agreement(world.banker, a.pk, True)
    assert a.status == "active" and a.decided_by == world.banker
    with pytest.raises(DomainError) as exc:  # one open agreement per account
        _agreement(world)
    assert exc.value.code == "account_taken"
    a = escrow.end_agreement(world.clerk, a.pk, "改由他行监管")
    assert a.status == "ended" and a.end_date == TODAY


def test_refusals_change_nothing(world):
    before = state()  # pieces and audit: nothing written by a refusal
    base = dict(bank_id=world.bank_org.pk, account_name="户", account_no=ACCOUNT, scopes=["offset_top_up"], start_date=TODAY)
    for kw, code in (({"bank_id": world.alice_org.pk}, "bank_required"), ({"account_no": ""}, "account_no_required"),
                     ({"account_no": "ABC"}, "account_no_invalid"), ({"scopes": []}, "escrow_scope_required"),
                     ({"scopes": ["rent"]}, "escrow_scope_invalid"), ({"end_date": days(-1)}, "end_before_start")):
        with pytest.raises(DomainError) as exc:
            escrow.record_agreement(world.clerk, **{**base, **kw})
        assert exc.value.code == code
    for user in (world.alice, world.banker, world.inspector):  # only the operator records
        with pytest.raises(DomainError) as exc:
            escrow.record_agreement(user, **base)
        assert exc.value.status == 403
    assert state() == before and not SupervisedAccount.objects.exists()
    a = escrow.record_agreement(world.clerk, **base)
    with pytest.raises(DomainError) as exc:
        escrow.decide_agreement(world.banker, a.pk, False, "")
    assert exc.value.code == "reason_required"
    _org, other = _other_bank()
    with pytest.raises(DomainError) as exc:  # another bank: not found
        escrow.decide_agreement(other, a.pk, True)
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        escrow.decide_agreement(world.clerk, a.pk, True)  # the operator cannot confirm its own record
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        escrow.end_agreement(world.banker, a.pk, "x")
    assert exc.value.status == 403
    assert SupervisedAccount.objects.get().status == "proposed"


def _agreed_offset(world, price):
    _cert, piece = issue(world, settle_by_consumption=True)
    off = offset.apply_offset(world.alice, piece.pk, "consumption", piece.amount_fen)
    offset.offer_offset_options(world.bob, off.pk, consumption_scope="超市")
    offset.propose_offset_price(world.alice, off.pk, price)
    off = offset.accept_offset_price(world.bob, off.pk)
    offset.add_offset_evidence(world.bob, off.pk, "settlement", "js.pdf", pdf(f"{off.number}-js"))
    offset.add_offset_evidence(world.alice, off.pk, "top_up", "bz.pdf", pdf(f"{off.number}-bz"))
    return off


def test_offset_top_up_names_the_active_account(world):
    off = _agreed_offset(world, 1_100_000_00)
    delivery = dict(delivery_ref="JF", settlement_ref="JS", cash_top_up_ref="LS-1", cash_top_up_date=TODAY)
    with pytest.raises(DomainError) as exc:  # no agreement in force: naming an account is refused
        offset.record_offset_delivery(world.bob, off.pk, **delivery, cash_top_up_account_no=ACCOUNT)
    assert exc.value.code == "escrow_account_unknown"
    a = _agreement(world)
    for no in ("", "6228480000000000"):
        with pytest.raises(DomainError) as exc:
            offset.record_offset_delivery(world.bob, off.pk, **delivery, cash_top_up_account_no=no)
        assert exc.value.code == "escrow_account_required" and exc.value.field == "cash_top_up_account_no"
    off = offset.record_offset_delivery(world.bob, off.pk, **delivery, cash_top_up_account_no=ACCOUNT)
    assert off.cash_top_up_account == a


def test_sale_proceeds_name_the_active_account_only_within_scope(world):
    cert, piece = issue(world)
    _org, user = purchaser(world)
    c = end_lockup(commitment(world, cert, user))
    sale = purchase.apply_sale(world.alice, piece.pk, c.pk, 400_000_00)
    a = _agreement(world, scopes=("sale_proceeds",))
    with pytest.raises(DomainError) as exc:
        purchase.confirm_sale(user, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="HX-1")
    assert exc.value.code == "escrow_account_required" and exc.value.field == "payment_account_no"
    sale = purchase.confirm_sale(user, sale.pk, payment_fen=sale.price_fen, payment_date=TODAY, payment_ref="HX-1",
                                 payment_account_no=ACCOUNT)
    assert sale.status == "completed" and sale.payment_account == a


def test_api_bank_sees_its_own_only(world, api):
    a = _agreement(world, confirm=False)
    other_org, other = _other_bank()
    clerk, bank, rival, alice = api(world.clerk), api(world.banker), api(other), api(world.alice)
    assert [r["id"] for r in bank.get("/certificates/escrow-accounts").json()["items"]] == [a.pk]
    assert rival.get("/certificates/escrow-accounts").json()["items"] == []
    assert alice.get("/certificates/escrow-accounts").json()["items"] == []
    assert rival.get(f"/certificates/escrow-accounts/{a.pk}").status_code == 404
    assert rival.post(f"/certificates/escrow-accounts/{a.pk}/decision", {"confirm": True}).status_code == 404
    r = bank.post(f"/certificates/escrow-accounts/{a.pk}/decision", {"confirm": False, "reason": ""})
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = bank.post(f"/certificates/escrow-accounts/{a.pk}/decision", {"confirm": True})
    assert r.status_code == 200 and r.json()["status"] == "active"
    r = clerk.post("/certificates/escrow-accounts", {"bank_id": other_org.pk, "account_name": "户", "account_no": "", "scopes": ["sale_proceeds"],
                                                    "start_date": TODAY.isoformat()})
    assert r.status_code == 400 and r.json()["field"] == "account_no"
    r = alice.post("/certificates/escrow-accounts", {"bank_id": other_org.pk, "account_name": "户", "account_no": "123",
                                                    "scopes": ["sale_proceeds"], "start_date": TODAY.isoformat()})
    assert r.status_code == 403
    r = clerk.post("/certificates/escrow-accounts", {"bank_id": other_org.pk, "account_name": "户", "account_no": "123",
                                                    "scopes": ["sale_proceeds"], "start_date": TODAY.isoformat()})
    assert r.status_code == 201 and r.json()["status"] == "proposed"
    assert len(clerk.get("/certificates/escrow-accounts").json()["items"]) == 2


def test_pages(world, client):
    a = _agreement(world, confirm=False)
    other_org, other = _other_bank()
    client.force_login(world.alice)
    assert client.get("/certificates/escrow/").status_code == 404
    client.force_login(other)
    page = client.get("/certificates/escrow/").content.decode()
    assert ACCOUNT not in page
    assert client.post("/certificates/escrow/", {"form": "confirm", "agreement": a.pk}).status_code == 404
    client.force_login(world.banker)
    assert ACCOUNT in client.get("/certificates/escrow/").content.decode()
    r = client.post("/certificates/escrow/", {"form": "decline", "agreement": a.pk, "reason": ""})
    assert "不予确认时必须说明理由" in r.content.decode()
    client.post("/certificates/escrow/", {"form": "confirm", "agreement": a.pk})
    a.refresh_from_db()
    assert a.status == "active"
    client.force_login(world.clerk)
    r = client.post("/certificates/escrow/", {"form": "record", "bank": other_org.pk, "account_name": "户", "account_no": "abc",
                                              "scopes": ["sale_proceeds"], "start_date": TODAY.isoformat()})
    assert "监管账号只能由数字组成" in r.content.decode()
    r = client.post("/certificates/escrow/", {"form": "record", "bank": other_org.pk, "account_name": "户", "account_no": "99",
                                              "scopes": ["sale_proceeds"], "start_date": TODAY.isoformat()})
    assert r.status_code == 302 and SupervisedAccount.objects.filter(bank=other_org, status="proposed").exists()
    client.force_login(world.inspector)
    r = client.post("/certificates/escrow/", {"form": "end", "agreement": a.pk, "reason": "x"})
    assert "此操作仅限" in r.content.decode()
    a.refresh_from_db()
    assert a.status == "active"
