"""The underlying contract and the non-cash check (「持债权债务双方认可的有效基础合同（仅限于债权债务双方
协议约定以非货币方式清偿的债权）」, issue 19 item 2): no confirmation and no approval without the
contract document; the operator's reviewer records that the contract's settlement terms are
non-cash (who, when, which clause) before the certificate may be approved; reviewers and the
parties open the document, nobody else."""

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.issuance.models import Application, ReviewCheck
from liuzhuan.certificates.ledger.models import Certificate
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent

from ...conftest import make_user
from ..conftest import app_input, attach_contract, check_contract, contract_pdf


def _state(app):
    app.refresh_from_db()
    return (app.status, app.creditor_confirmed_at, app.debtor_confirmed_at, app.prepared_by_id,
            ReviewCheck.objects.filter(superseded_at__isnull=True).count(), Certificate.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def draft(world):
    return issuance.create_application(world.alice, app_input(world.bob_org))


@pytest.fixture
def submitted(world, draft):
    attach_contract(world.alice, draft)
    issuance.confirm_application(world.bob, draft.pk)
    draft.refresh_from_db()
    return draft


def test_the_debtor_cannot_confirm_without_the_contract(world, draft, api, client):
    before = _state(draft)
    with pytest.raises(DomainError) as exc:
        issuance.confirm_application(world.bob, draft.pk)
    assert (exc.value.code, exc.value.field) == ("contract_document_required", "attachments") and "基础合同" in exc.value.message
    r = api(world.bob).post(f"/certificates/applications/{draft.pk}/confirm")
    assert r.status_code == 400 and r.json()["field"] == "attachments" and "基础合同" in r.json()["message"]
    client.force_login(world.bob)
    r = client.post(f"/certificates/applications/{draft.pk}/", {"form": "confirm"}, follow=True)
    assert "尚未上传基础合同文件" in r.content.decode()
    assert _state(draft) == before
    attach_contract(world.alice, draft)
    assert issuance.confirm_application(world.bob, draft.pk).status == "submitted"


def test_a_new_document_undoes_the_other_sides_confirmation(world):
    """The debtor started (its side confirmed) before any document; the creditor's upload must be seen by it."""
    app = issuance.create_application(world.bob, app_input(world.alice_org, role="debtor"))
    assert app.debtor_confirmed_at
    attach_contract(world.alice, app)
    app.refresh_from_db()
    assert app.debtor_confirmed_at is None and app.debtor_confirmed_by is None
    assert AuditEvent.objects.get(action="certificate.attach").summary["confirmation_undone"] == "debtor"
    assert issuance.confirm_application(world.alice, app.pk).status == "draft"  # waits for the debtor again
    assert issuance.confirm_application(world.bob, app.pk).status == "submitted"


def test_approval_needs_the_recorded_non_cash_check(world, submitted, api, client):
    before = _state(submitted)
    with pytest.raises(DomainError) as exc:
        issuance.prepare_review(world.clerk, submitted.pk, "approve")
    assert (exc.value.code, exc.value.field) == ("review_check_missing", "non_cash_terms") and "非货币" in exc.value.message
    r = api(world.clerk).post(f"/certificates/applications/{submitted.pk}/prepare", {"action": "approve"})
    assert r.status_code == 400 and r.json()["field"] == "non_cash_terms"
    client.force_login(world.clerk)
    r = client.post(f"/certificates/applications/{submitted.pk}/", {"form": "prepare", "action": "approve", "reason": ""})
    assert "初审核查清单未完成" in r.content.decode()
    assert _state(submitted) == before
    # returning or rejecting it needs no check
    issuance.prepare_review(world.clerk, submitted.pk, "return", "合同清偿条款约定现金支付")
    assert issuance.decide_review(world.checker, submitted.pk, True).status == "returned"


def test_the_check_is_recorded_with_who_when_and_the_clause(world, submitted, api):
    check = check_contract(world.clerk, submitted)
    assert (check.checked_by, check.item) == (world.clerk, "non_cash_terms") and check.checked_at and "第5条" in check.note
    ev = AuditEvent.objects.filter(action="certificate.review_check").get()
    assert ev.summary == {"item": "non_cash_terms", "note": check.note}
    with pytest.raises(DomainError) as exc:
        check_contract(world.checker, submitted)
    assert exc.value.code == "check_recorded"
    out = api(world.alice).get(f"/certificates/applications/{submitted.pk}").json()
    assert out["missing_checks"] == [] and out["attachment_count"] == 1
    assert out["checks"][0]["item"] == "non_cash_terms" and out["checks"][0]["checked_by"] == world.clerk.label
    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    assert issuance.decide_review(world.checker, submitted.pk, True).status == "issued"


def test_bad_checks_change_nothing(world, submitted, api):
    before = _state(submitted)
    for item, note, field in (("cash_ok", "x", "item"), ("non_cash_terms", "  ", "note"), ("non_cash_terms", "长" * 301, "note")):
        with pytest.raises(DomainError) as exc:
            issuance.record_review_check(world.clerk, submitted.pk, item, note)
        assert exc.value.field == field
    r = api(world.clerk).post(f"/certificates/applications/{submitted.pk}/checks", {"item": "non_cash_terms", "note": ""})
    assert r.status_code == 400 and r.json()["field"] == "note"
    assert _state(submitted) == before
    other = issuance.create_application(world.carol, app_input(world.bob_org, contract_no="HT-002"))
    with pytest.raises(DomainError) as exc:  # still waiting for the debtor: not under review
        issuance.record_review_check(world.clerk, other.pk, "non_cash_terms", "第5条")
    assert exc.value.code == "not_submitted"


def test_check_rejects_other_org(world, submitted, api, client):
    """Members (the parties included) and the regulator do not record the operator's checks."""
    for user in (world.alice, world.bob, world.outsider, world.inspector):
        with pytest.raises(PermissionDenied):
            issuance.record_review_check(user, submitted.pk, "non_cash_terms", "第5条")
        r = api(user).post(f"/certificates/applications/{submitted.pk}/checks", {"item": "non_cash_terms", "note": "第5条"})
        assert r.status_code == 403
    client.force_login(world.alice)
    r = client.post(f"/certificates/applications/{submitted.pk}/", {"form": "check", "item": "non_cash_terms", "note": "第5条"})
    assert r.status_code == 404
    assert not ReviewCheck.objects.exists()


def test_check_through_the_page(world, submitted, client):
    client.force_login(world.clerk)
    page = client.get(f"/certificates/applications/{submitted.pk}/").content.decode()
    assert "初审核查清单" in page and "尚未核查" in page
    queue = client.get("/certificates/review/").content.decode()
    assert submitted.number in queue and "1 份" in queue and "未核查" in queue
    r = client.post(f"/certificates/applications/{submitted.pk}/", {"form": "check", "item": "non_cash_terms", "note": ""})
    assert r.status_code == 200 and not ReviewCheck.objects.exists()
    r = client.post(f"/certificates/applications/{submitted.pk}/", {"form": "check", "item": "non_cash_terms",
                                                                     "note": "合同第七条：以商铺抵付"}, follow=True)
    assert "合同第七条：以商铺抵付" in r.content.decode() and ReviewCheck.objects.get().checked_by == world.clerk
    assert "已核查" in client.get("/certificates/review/").content.decode()


def test_the_one_who_checked_does_not_approve(world, submitted):
    check_contract(world.checker, submitted)  # the manager checked the contract ...
    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    with pytest.raises(PermissionDenied) as exc:  # ... so a third user approves
        issuance.decide_review(world.checker, submitted.pk, True)
    assert exc.value.code == "same_maker_checker"
    third = make_user(world.operator, "checker2", "manager")
    assert issuance.decide_review(third, submitted.pk, True).status == "issued"


def test_a_check_that_no_longer_stands_blocks_approval(world, submitted, api):
    """Prepared before the check was withdrawn (or before the control existed): the checker is refused."""
    check_contract(world.clerk, submitted)
    issuance.prepare_review(world.clerk, submitted.pk, "approve")
    ReviewCheck.objects.update(superseded_at="2026-01-01T00:00:00Z")
    r = api(world.checker).post(f"/certificates/applications/{submitted.pk}/decide", {"agree": True})
    assert r.status_code == 400 and r.json()["code"] == "review_check_missing" and r.json()["field"] == "non_cash_terms"
    submitted.refresh_from_db()
    assert submitted.status == "prepared" and not Certificate.objects.exists()


def test_an_application_without_a_contract_is_not_approved(world, draft, api):
    """One submitted before the control (no document): it can be returned, not approved."""
    Application.objects.filter(pk=draft.pk).update(status="submitted", debtor_confirmed_by=world.bob,
                                                   debtor_confirmed_at="2026-01-01T00:00:00Z")
    with pytest.raises(DomainError) as exc:
        issuance.record_review_check(world.clerk, draft.pk, "non_cash_terms", "第5条")
    assert exc.value.code == "contract_document_required"
    r = api(world.clerk).post(f"/certificates/applications/{draft.pk}/prepare", {"action": "approve"})
    assert r.status_code == 400 and r.json()["field"] == "attachments"
    Application.objects.filter(pk=draft.pk).update(status="prepared", prepared_by=world.clerk, prepared_action="approve")
    with pytest.raises(DomainError) as exc:
        issuance.decide_review(world.checker, draft.pk, True)
    assert exc.value.code == "contract_document_required" and not Certificate.objects.exists()


def test_resubmission_needs_a_new_check(world, submitted):
    check_contract(world.clerk, submitted)
    issuance.prepare_review(world.clerk, submitted.pk, "return", "请补充合同第二页")
    issuance.decide_review(world.checker, submitted.pk, True)
    issuance.resubmit_application(world.alice, submitted.pk, app_input(world.bob_org, amount_fen=900_000_00))
    issuance.add_attachment(world.alice, submitted.pk, "p2.pdf", contract_pdf(submitted) + b"page 2")
    issuance.confirm_application(world.bob, submitted.pk)
    assert ReviewCheck.objects.filter(superseded_at__isnull=False).count() == 1  # kept, no longer counted
    with pytest.raises(DomainError) as exc:
        issuance.prepare_review(world.clerk, submitted.pk, "approve")
    assert exc.value.code == "review_check_missing"
    check_contract(world.clerk, submitted)
    assert issuance.prepare_review(world.clerk, submitted.pk, "approve").status == "prepared"


def test_reviewers_and_parties_open_the_contract(world, submitted, api, client):
    att = submitted.attachments.get()
    url = f"/certificates/applications/{submitted.pk}/attachments/{att.pk}/"
    for user in (world.alice, world.bob, world.clerk, world.checker):
        client.force_login(user)
        r = client.get(url)
        assert r.status_code == 200 and b"".join(r.streaming_content) == contract_pdf(submitted)
        assert r["Content-Type"] == "application/pdf" and "attachment" in r["Content-Disposition"]
        r = api(user).get(f"/certificates/applications/{submitted.pk}/attachments/{att.pk}/file")
        assert r.status_code == 200 and b"".join(r.streaming_content) == contract_pdf(submitted)
    client.force_login(world.clerk)
    assert url in client.get(f"/certificates/applications/{submitted.pk}/").content.decode()


def test_contract_download_rejects_other_org(world, submitted, api, client):
    att = submitted.attachments.get()
    url = f"/certificates/applications/{submitted.pk}/attachments/{att.pk}/"
    client.force_login(world.outsider)  # another member: the application does not exist for it
    assert client.get(url).status_code == 404
    assert api(world.outsider).get(f"/certificates/applications/{submitted.pk}/attachments/{att.pk}/file").status_code == 404
    client.force_login(world.inspector)  # the regulator sees the application, not the contract itself
    assert client.get(url).status_code == 403
    r = api(world.inspector).get(f"/certificates/applications/{submitted.pk}/attachments/{att.pk}/file")
    assert r.status_code == 403 and r.json()["code"] == "contract_not_for_you"
    other = issuance.create_application(world.carol, app_input(world.outsider_org, contract_no="HT-9"))
    client.force_login(world.alice)  # an attachment id under another application is not found
    assert client.get(f"/certificates/applications/{other.pk}/attachments/{att.pk}/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page

