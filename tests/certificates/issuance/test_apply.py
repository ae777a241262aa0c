import datetime as dt

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.issuance.models import Application
from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ...conftest import make_org
from ..conftest import app_input, attach_contract


def test_creditor_applies_and_debtor_confirms(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    assert app.status == "draft" and app.creditor == world.alice_org and app.debtor == world.bob_org
    assert app.creditor_confirmed_by == world.alice and app.debtor_confirmed_at is None
    assert Notification.objects.filter(organisation=world.bob_org, title__contains=app.number).exists()
    attach_contract(world.alice, app)
    app = issuance.confirm_application(world.bob, app.pk)
    assert app.status == "submitted" and app.debtor_confirmed_by == world.bob
    assert Notification.objects.filter(organisation=world.operator, title__contains="待审核").exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["certificate.apply", "certificate.attach", "certificate.confirm"]


def test_debtor_can_start(world):
    app = issuance.create_application(world.bob, app_input(world.alice_org, role="debtor"))
    assert app.creditor == world.alice_org and app.debtor_confirmed_by == world.bob
    attach_contract(world.bob, app)
    assert issuance.confirm_application(world.alice, app.pk).status == "submitted"


@pytest.mark.parametrize(
    ("kw", "field", "code"),
    [
        ({"non_cash_declared": False}, "non_cash_declared", "cash_settlement_refused"),
        ({"offset_scope": ()}, "offset_scope", "offset_scope_required"),
        ({"offset_scope": ("house", "steel")}, "offset_scope", "offset_scope_invalid"),
        ({"amount_fen": 0}, "amount_fen", "amount_not_positive"),
        ({"amount_fen": 10**15}, "amount_fen", "amount_too_large"),
        ({"maturity_date": dt.date(2020, 1, 1)}, "maturity_date", "maturity_past"),
        ({"contract_date": dt.date(2099, 1, 1)}, "contract_date", "contract_date_future"),
        ({"extension_days": 30}, "extension_days", "extension_incomplete"),
        ({"extension_days": 30, "extension_max": 99}, "extension_max", "extension_max_range"),
        ({"contract_no": " "}, "contract_no", "contract_no_required"),
        ({"role": "guarantor"}, "role", "role_invalid"),
    ],
)
def test_bad_application_changes_nothing(world, kw, field, code):
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(world.bob_org, **kw))
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not Application.objects.exists() and not AuditEvent.objects.exists()


def test_counterparty_rules(world):
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(world.alice_org))
    assert exc.value.code == "counterparty_self"
    pending = make_org("未审核公司", status="pending")
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(pending))
    assert exc.value.code == "counterparty_unavailable"


def test_confirm_rejects_other_org(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    with pytest.raises(NotFound):
        issuance.confirm_application(world.outsider, app.pk)
    with pytest.raises(DomainError) as exc:
        issuance.confirm_application(world.alice, app.pk)
    assert exc.value.code == "already_confirmed"
    app.refresh_from_db()
    assert app.status == "draft"


def test_regulator_cannot_apply(world):
    with pytest.raises(PermissionDenied):
        issuance.create_application(world.inspector, app_input(world.bob_org))


def test_withdraw_and_resubmit_after_return(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    attach_contract(world.alice, app)
    issuance.confirm_application(world.bob, app.pk)
    issuance.prepare_review(world.clerk, app.pk, "return", "请补充合同附件")
    app = issuance.decide_review(world.checker, app.pk, True)
    assert app.status == "returned"
    app = issuance.resubmit_application(world.alice, app.pk, app_input(world.bob_org, amount_fen=900_000_00))
    assert app.status == "draft" and app.amount_fen == 900_000_00 and app.debtor_confirmed_at is None
    with pytest.raises(DomainError) as exc:
        issuance.resubmit_application(world.alice, app.pk, app_input(world.outsider_org))
    assert exc.value.field == "counterparty_id"
    with pytest.raises(NotFound):
        issuance.withdraw_application(world.outsider, app.pk)
    assert issuance.withdraw_application(world.bob, app.pk).status == "withdrawn"


def test_api_apply_confirm_and_errors(world, api):
    payload = {"counterparty_id": world.bob_org.pk, "role": "creditor", "contract_no": "A1", "contract_title": "合同",
               "contract_date": "2026-01-05", "amount_fen": 123456, "maturity_date": "2030-01-01", "offset_scope": ["house"],
               "non_cash_declared": True}
    r = api(world.alice).post("/certificates/applications", payload)
    assert r.status_code == 201, r.content
    app_id = r.json()["id"]
    assert api(world.outsider).get(f"/certificates/applications/{app_id}").status_code == 404
    assert api(world.outsider).post(f"/certificates/applications/{app_id}/confirm").status_code == 404
    attach_contract(world.alice, Application.objects.get(pk=app_id))
    r = api(world.bob).post(f"/certificates/applications/{app_id}/confirm")
    assert r.json()["status"] == "submitted"
    bad = api(world.alice).post("/certificates/applications", {**payload, "non_cash_declared": False})
    assert bad.status_code == 400 and bad.json()["field"] == "non_cash_declared" and "非货币" in bad.json()["message"]
    bad = api(world.alice).post("/certificates/applications", {**payload, "amount_fen": "lots"})
    assert bad.status_code == 422 and bad.json()["field"] == "amount_fen"


def test_apply_page_form_error_in_chinese(world, client):
    client.force_login(world.alice)
    r = client.post("/certificates/apply/", {"role": "creditor", "counterparty": world.bob_org.pk, "contract_no": "X",
                                             "contract_title": "T", "contract_date": "2026-01-01", "amount": "1,000.005",
                                             "maturity_date": "2030-01-01", "offset_scope": ["house"], "non_cash_declared": "on"})
    assert r.status_code == 200 and "最多保留两位小数" in r.content.decode()
    r = client.post("/certificates/apply/", {"role": "creditor", "counterparty": world.bob_org.pk, "contract_no": "X",
                                             "contract_title": "T", "contract_date": "2026-01-01", "amount": "1,000.00",
                                             "maturity_date": "2030-01-01", "offset_scope": ["house"]})
    assert "不能申请开具凭证" in r.content.decode()
    assert not Application.objects.exists()


def test_overlong_text_is_a_field_error_not_a_crash(world, api):
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(world.bob_org, contract_no="X" * 61))
    assert exc.value.field == "contract_no"
    payload = {"counterparty_id": world.bob_org.pk, "role": "creditor", "contract_no": "A" * 61, "contract_title": "合同",
               "contract_date": "2026-01-05", "amount_fen": 100, "maturity_date": "2030-01-01", "offset_scope": ["house"],
               "non_cash_declared": True}
    r = api(world.alice).post("/certificates/applications", payload)
    assert r.status_code == 422 and r.json()["field"] == "contract_no"
    r = api().upload("/registrations", {"name": "x", "org_type": "enterprise", "legal_id": "1", "address": "长" * 201}, csrf=False)
    assert r.status_code == 422 and r.json()["field"] == "address"


def test_resubmit_rejects_other_org(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org))
    with pytest.raises(NotFound):
        issuance.resubmit_application(world.outsider, app.pk, app_input(world.bob_org, amount_fen=1))
    app.refresh_from_db()
    assert app.amount_fen == 1_000_000_00


def test_maturity_is_at_most_five_years_away(world, api):
    """A maturity of 9999-12-31 issued a certificate (issue 17 item 5): the schema refuses dates past
    2100, the action anything later than five years from the application day (pages included)."""
    from liuzhuan.certificates.issuance.rules import MAX_TERM_YEARS, latest_maturity
    from liuzhuan.core.dates import today_china

    today = today_china()
    latest = latest_maturity(today)
    assert MAX_TERM_YEARS == 5 and latest.year == today.year + 5
    assert latest_maturity(dt.date(2028, 2, 29)) == dt.date(2033, 2, 28)
    with pytest.raises(DomainError) as exc:
        issuance.create_application(world.alice, app_input(world.bob_org, maturity_date=latest + dt.timedelta(days=1)))
    assert (exc.value.field, exc.value.code) == ("maturity_date", "maturity_too_far") and f"{latest:%Y-%m-%d}" in exc.value.message
    assert issuance.create_application(world.alice, app_input(world.bob_org, maturity_date=latest)).maturity_date == latest
    payload = {"counterparty_id": world.bob_org.pk, "role": "creditor", "contract_no": "A2", "contract_title": "合同",
               "contract_date": today.isoformat(), "amount_fen": 123456, "maturity_date": "9999-12-31", "offset_scope": ["house"],
               "non_cash_declared": True}
    r = api(world.alice).post("/certificates/applications", payload)
    assert r.status_code == 422 and r.json()["field"] == "maturity_date" and "2100-12-31" in r.json()["message"]
    r = api(world.alice).post("/certificates/applications", {**payload, "maturity_date": "2099-12-31"})
    assert r.status_code == 400 and r.json()["code"] == "maturity_too_far"
    assert Application.objects.count() == 1
    from liuzhuan.api import api as root

    described = root.get_openapi_schema()["components"]["schemas"]["CertificateApplicationIn"]["properties"]["maturity_date"]
    assert "5 年" in described["description"]
