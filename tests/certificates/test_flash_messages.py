"""The message after a page action says what happened (number, amount, counterparty) and what comes next."""

from django.contrib.messages import get_messages

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.pledge.models import Pledge
from liuzhuan.certificates.purchase.models import CommitmentStatus
from liuzhuan.certificates.void import actions as voiding

from .conftest import app_input, confirm_and_check
from .helpers import TODAY, commitment, days, purchaser


def flash(client, path, data) -> str:
    r = client.post(path, data, follow=True)
    assert r.status_code == 200
    texts = [str(m) for m in get_messages(r.wsgi_request)] or [r.content.decode()]
    return " ".join(texts)


def test_review_decision_names_the_certificate_issued(world, client):
    app = issuance.create_application(world.alice, app_input(world.bob_org, amount_fen=1_000_000_00))
    confirm_and_check(world, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    client.force_login(world.checker)
    text = flash(client, f"/certificates/applications/{app.pk}/", {"form": "decide", "agree": "yes", "reason": ""})
    app.refresh_from_db()
    assert f"已开具凭证 {app.certificate.number}" in text and "¥1,000,000.00" in text and "已办理。" not in text


def test_review_send_back_says_it_went_back(world, client):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    confirm_and_check(world, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    client.force_login(world.checker)
    text = flash(client, f"/certificates/applications/{app.pk}/", {"form": "decide", "agree": "no", "reason": "金额有误"})
    assert f"申请 {app.number} 已退回经办人重新初审" in text


def test_transfer_says_amount_counterparty_and_deadline(world, issued, client):
    _, piece = issued
    client.force_login(world.alice)
    text = flash(client, f"/certificates/pieces/{piece.pk}/", {
        "form": "single", "to_org": world.carol_org.pk, "amount": "1,000.00", "agreement_ref": "ZR-1"})
    assert "已向 戊公司 发出转让 ¥1,000.00，等待对方于" in text


def test_pledge_says_number_pledgee_and_next_step(world, issued, client):
    _, piece = issued
    client.force_login(world.alice)
    text = flash(client, f"/certificates/lifecycle/pieces/{piece.pk}/", {
        "form": "pledge", "pledgee": world.bank_org.pk, "amount": "1,000,000.00", "contract_ref": "ZY-1", "secured": "500,000.00",
        "start_date": TODAY.isoformat(), "end_date": days(365).isoformat()})
    p = Pledge.objects.get()
    assert f"已发起质押 {p.number}：¥1,000,000.00 质押给 丙银行，等待质权人录入统一登记编号后生效" in text
    client.force_login(world.banker)
    text = flash(client, f"/certificates/lifecycle/pledges/{p.pk}/", {
        "form": "register", "registration_no": "ZD-1", "registration_date": TODAY.isoformat()})
    assert f"质押 {p.number} 已登记生效" in text and "该分段不能转让" in text


def test_closing_a_commitment_says_which_way_and_who_is_told(world, issued, client):
    cert, _ = issued
    _, provider_user = purchaser(world)
    c = commitment(world, cert, provider_user, accept=False)
    client.force_login(provider_user)
    text = flash(client, f"/certificates/lifecycle/commitments/{c.pk}/", {"form": "close", "reason": "额度不足"})
    c.refresh_from_db()
    assert c.status == CommitmentStatus.DECLINED
    assert f"已拒绝收购承诺 {c.number}，已通知委托方。" in text and "已办理。" not in text


def test_void_decision_names_the_certificate(world, issued, client):
    cert, _ = issued
    v = voiding.prepare_void(world.clerk, cert.pk, "合同编号错误")
    client.force_login(world.checker)
    text = flash(client, "/certificates/lifecycle/voids/", {"void": v.pk, "agree": "yes", "reason": ""})
    assert f"复核通过：凭证 {cert.number} 已作废" in text


def test_a_refused_action_shows_no_success_message(world, issued, client):
    cert, _ = issued
    _, provider_user = purchaser(world)
    c = commitment(world, cert, provider_user, accept=False)
    client.force_login(world.outsider)  # wrong organisation: not found, nothing changes, nothing claimed
    r = client.post(f"/certificates/lifecycle/commitments/{c.pk}/", {"form": "close", "reason": "x"})
    assert r.status_code == 404
    c.refresh_from_db()
    assert c.status == CommitmentStatus.REQUESTED and not list(get_messages(r.wsgi_request))
