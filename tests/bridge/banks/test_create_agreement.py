"""create_agreement: 合作监管协议 must stipulate joint liability for principal and fee (第六条)."""

import datetime as dt

import pytest

from liuzhuan.bridge.banks import actions
from liuzhuan.bridge.models.banks import BankAgreement
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.roles import Role

from ...conftest import make_org

ARGS = dict(number="XQ-2026-09", signed_on=dt.date(2026, 1, 5), valid_from=dt.date(2026, 1, 5), valid_until=dt.date(2028, 1, 4),
            joint_liability_principal=True, joint_liability_fee=True)


def test_manager_registers_agreement(bw):
    bank = make_org("丙银行", Role.BANK)
    ag = actions.create_agreement(bw.manager, bank_id=bank.pk, **ARGS)
    assert ag.status == "active" and ag.joint_liability_principal and ag.joint_liability_fee and not ag.entrusted_allowed


def test_joint_liability_is_mandatory(bw):
    bank = make_org("丙银行", Role.BANK)
    with pytest.raises(DomainError) as exc:
        actions.create_agreement(bw.manager, bank_id=bank.pk, **(ARGS | {"joint_liability_fee": False}))
    assert exc.value.field == "joint_liability_fee" and "第六条" in exc.value.message
    with pytest.raises(DomainError) as exc:
        actions.create_agreement(bw.manager, bank_id=bank.pk, **(ARGS | {"joint_liability_principal": False}))
    assert exc.value.field == "joint_liability_principal"


@pytest.mark.parametrize(("kw", "field"), [
    ({"number": ""}, "number"), ({"number": "XQ-2025-01"}, "number"),
    ({"valid_until": dt.date(2025, 12, 31)}, "valid_until"),
])
def test_bad_input(bw, kw, field):
    bank = make_org("丙银行", Role.BANK)
    with pytest.raises(DomainError) as exc:
        actions.create_agreement(bw.manager, bank_id=bank.pk, **(ARGS | kw))
    assert exc.value.field == field


def test_not_a_bank_and_second_live_agreement(bw):
    with pytest.raises(DomainError) as exc:
        actions.create_agreement(bw.manager, bank_id=bw.sme_org.pk, **ARGS)
    assert exc.value.code == "not_a_bank"
    with pytest.raises(DomainError) as exc:
        actions.create_agreement(bw.manager, bank_id=bw.bank_org.pk, **ARGS)
    assert exc.value.code == "agreement_exists"


def test_rejects_other_org(bw):
    bank = make_org("丙银行", Role.BANK)
    for user in (bw.clerk, bw.other_fm, bw.bureau, bw.banker):
        with pytest.raises(PermissionDenied):
            actions.create_agreement(user, bank_id=bank.pk, **ARGS)
    assert not BankAgreement.objects.filter(bank=bank).exists()
