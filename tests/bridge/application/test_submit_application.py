"""submit_application: who may apply and the rules of 第八条、第十条 checked at the door."""

import datetime as dt

import pytest

from liuzhuan.bridge.application import actions
from liuzhuan.bridge.application.rules import ELIGIBILITY_ITEMS
from liuzhuan.bridge.banks.actions import create_agreement
from liuzhuan.bridge.fund.actions import establish_fund
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Notification

from ...conftest import make_org, make_user
from ..conftest import TODAY, YUAN, app_input, submitted


def test_sme_applies(bw):
    app = submitted(bw)
    assert app.status == "submitted" and app.applicant == bw.sme_org and app.agreement == bw.agreement
    assert app.number == f"GQ2026-{app.pk:05d}"
    assert app.checks.filter(kind="eligibility").count() == 5 and app.checks.filter(kind="material").count() == 2
    assert all(c.passed is None and c.evidence for c in app.checks.all())
    assert Notification.objects.filter(organisation=bw.fund_org, title__contains=app.number).exists()


@pytest.mark.parametrize(("over", "field", "fragment"), [
    ({"original_loan_type": "acceptance_bill"}, "original_loan_type", "不含银行承兑汇票、委托贷款"),
    ({"original_loan_type": "entrusted_loan"}, "original_loan_type", "第十条（四）"),
    ({"classification": "special_mention"}, "classification", "正常类"),
    ({"amount_fen": 1_000_000 * YUAN + 1}, "amount_fen", "续贷批复当期审批额度"),
    ({"amount_fen": 900_000 * YUAN, "original_due_fen": 800_000 * YUAN}, "amount_fen", "当期应清偿的原贷款额度"),
    ({"planned_days": 11}, "planned_days", "超过 10 天上限"),
    ({"planned_days": 0}, "planned_days", "至少 1 天"),
    ({"purpose_confirmed": False}, "purpose_confirmed", "还贷续贷应急周转"),
    ({"sme_size": "huge"}, "sme_size", "企业类型"),
    ({"bank_id": 999999}, "bank_id", "合作银行"),
    ({"original_contract_no": " "}, "original_contract_no", "原贷款合同编号"),
    ({"loan_account": ""}, "loan_account", "还款账户"),
    ({"planned_draw_date": TODAY - dt.timedelta(days=1)}, "planned_draw_date", "不能早于今天"),
    ({"renewal_approval_date": TODAY + dt.timedelta(days=1)}, "renewal_approval_date", "不能晚于今天"),
    ({"evidence": {"sme": "x"}}, "evidence.registered", "证明材料"),
])
def test_rules_refuse_with_chinese_message_naming_the_field(bw, over, field, fragment):
    with pytest.raises(DomainError) as exc:
        actions.submit_application(bw.sme, app_input(bw, **over), on=TODAY)
    assert exc.value.field == field and fragment in exc.value.message
    assert not Application.objects.exists()


def test_amount_equal_to_both_limits_is_allowed(bw):
    app = submitted(bw, amount_fen=1_000_000 * YUAN, original_due_fen=1_000_000 * YUAN, renewal_approval_fen=1_000_000 * YUAN)
    assert app.max_amount_fen == app.amount_fen


def test_duplicate_contract_refused(bw):
    submitted(bw)
    with pytest.raises(DomainError) as exc:
        submitted(bw)
    assert exc.value.field == "original_contract_no"


def test_no_filed_checklist_refused(db):
    from liuzhuan.members.models import Position

    bureau = make_user(make_org("财政", Role.BUREAU, org_type="institution"), "c1", Position.MANAGER)
    fm = make_org("兴财", Role.FUND_MANAGER)
    head = make_user(fm, "h1", Position.MANAGER)
    bank = make_org("银行", Role.BANK)
    sme = make_user(make_org("企业", Role.MEMBER), "s1", Position.MANAGER)
    establish_fund(bureau, name="F", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1))
    create_agreement(head, bank_id=bank.pk, number="N1", signed_on=dt.date(2025, 1, 1), valid_from=dt.date(2025, 1, 1),
                     valid_until=dt.date(2027, 1, 1), joint_liability_principal=True, joint_liability_fee=True)
    data = actions.ApplicationInput(
        bank_id=bank.pk, sme_size="small", original_contract_no="C", original_loan_type="working_capital",
        original_due_fen=100, original_due_date=TODAY, classification="normal", loan_account="A", renewal_approval_fen=100,
        renewal_approval_no="P", renewal_approval_date=TODAY, amount_fen=100, planned_days=5, planned_draw_date=TODAY,
        purpose_confirmed=True, evidence={k: "e" for k, _ in ELIGIBILITY_ITEMS})
    with pytest.raises(DomainError) as exc:
        actions.submit_application(sme, data, on=TODAY)
    assert exc.value.code == "no_checklist" and "第九条" in exc.value.message


def test_rejects_other_org(bw):
    """Banks, the fund manager, the bureau and the regulator do not apply; inactive SMEs cannot."""
    for user in (bw.banker, bw.manager, bw.bureau, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.submit_application(user, app_input(bw), on=TODAY)
    suspended = make_org("暂停企业", Role.MEMBER, status="suspended")
    with pytest.raises(PermissionDenied):
        actions.submit_application(make_user(suspended, "ss"), app_input(bw), on=TODAY)
    assert not Application.objects.exists()


def test_database_refuses_a_second_open_application_for_the_same_contract(bw):
    """The partial unique index backs the check in the action (no check-then-act race)."""
    from django.db import IntegrityError, transaction

    app = submitted(bw)
    clone = Application.objects.get(pk=app.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    Application.objects.filter(pk=app.pk).update(status="withdrawn")
    assert submitted(bw).status == "submitted"  # a closed one does not count


def test_every_broken_rule_reported_at_once(bw):
    """Issue 18: one refusal per broken rule, each naming its field, not one per attempt."""
    from liuzhuan.core.errors import DomainErrors

    with pytest.raises(DomainErrors) as exc:
        actions.submit_application(bw.sme, app_input(bw, original_loan_type="acceptance_bill", classification="special_mention",
                                                     planned_days=11, purpose_confirmed=False, evidence={}), on=TODAY)
    fields = [e.field for e in exc.value.errors]
    assert fields[:4] == ["original_loan_type", "classification", "planned_days", "purpose_confirmed"]
    assert {f"evidence.{k}" for k, _ in ELIGIBILITY_ITEMS} <= set(fields)
    assert exc.value.field == "original_loan_type" and "共 9 处不符合要求" in exc.value.message
    assert "正常类" in exc.value.message and "10 天上限" in exc.value.message
    assert not Application.objects.exists()
