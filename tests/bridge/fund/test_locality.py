"""本市 (第三条、第六条、第八条（一）): the fund's city is a region code (set by the bureau, by default
the region of its own 统一社会信用代码); applicants and partner banks' branches must be in it —
characters 3–8 of the 统一社会信用代码."""

import datetime as dt

import pytest

from liuzhuan.bridge.application.actions import submit_application
from liuzhuan.bridge.banks.actions import create_agreement
from liuzhuan.bridge.fund import actions
from liuzhuan.bridge.fund.rules import in_region, locality_refusal, uscc_region, valid_region_prefix
from liuzhuan.bridge.models.application import Application
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.roles import Role
from liuzhuan.members.identity import make_uscc
from liuzhuan.members.models import Organisation, OrganisationRole, Position

from ...conftest import make_org, make_user
from ..conftest import TODAY, app_input

TONGCHENG = make_uscc("91340881MA2T00001")  # 桐城市
LINHE = make_uscc("91150802MA0000001")  # 巴彦淖尔市临河区 (the tests' city)


def org_with(legal_id: str, name: str, *roles, org_type: str = "enterprise") -> Organisation:
    org = make_org(name, *roles, org_type=org_type)
    Organisation.objects.filter(pk=org.pk).update(legal_id=legal_id)
    org.refresh_from_db()
    return org


def test_region_rules():
    assert uscc_region(TONGCHENG) == "340881" and uscc_region("123") == "" and uscc_region("11010119900101001X") == "010119"
    assert valid_region_prefix("34") and valid_region_prefix("3408") and valid_region_prefix("340881")
    assert not valid_region_prefix("34088") and not valid_region_prefix("3408a1") and not valid_region_prefix("")
    assert in_region("340881", "3408") and not in_region("340802", "340881") and not in_region("", "34")
    assert locality_refusal("enterprise", TONGCHENG, "340881", "甲") is None
    assert "不在本市" in locality_refusal("enterprise", LINHE, "340881", "甲")
    assert "居民身份证" in locality_refusal("person", "11010119900101001X", "110101", "张三")


def test_the_fund_takes_the_bureaus_region(bw):
    assert bw.fund.region_code == "150802"


def test_an_applicant_registered_elsewhere_is_refused(bw):
    outsider = org_with(TONGCHENG, "桐城某企业", Role.MEMBER)
    user = make_user(outsider, "tc_boss", Position.MANAGER)
    with pytest.raises(DomainError) as exc:
        submit_application(user, app_input(bw), on=TODAY)
    assert exc.value.code == "not_local" and "340881" in exc.value.message and "150802" in exc.value.message
    assert not Application.objects.exists()
    assert submit_application(bw.sme, app_input(bw), on=TODAY).status == "submitted"  # 150802…: local


def test_a_natural_person_cannot_show_local_registration(bw):
    person = make_org("张三", Role.MEMBER, org_type="person")
    user = make_user(person, "zhangsan", Position.MANAGER)
    with pytest.raises(DomainError) as exc:
        submit_application(user, app_input(bw), on=TODAY)
    assert exc.value.code == "not_local" and "统一社会信用代码" in exc.value.message


def test_bureau_moves_the_city(bw):
    actions.set_region(bw.bureau, "3408", note="改为安庆市")
    assert bw.refresh().region_code == "3408"
    assert AuditEvent.objects.filter(action="bridge.fund.region").exists()
    with pytest.raises(DomainError) as exc:
        submit_application(bw.sme, app_input(bw), on=TODAY)
    assert exc.value.code == "not_local"
    tongcheng = make_user(org_with(TONGCHENG, "桐城某企业", Role.MEMBER), "tc_boss", Position.MANAGER)
    with pytest.raises(DomainError) as exc:  # now local itself, but its bank's branch (150802) is not
        submit_application(tongcheng, app_input(bw), on=TODAY)
    assert exc.value.code == "bank_not_local" and exc.value.field == "bank_id"


@pytest.mark.parametrize("code", ["", "34088", "3408x1", "3408810"])
def test_bad_region_refused(bw, code):
    with pytest.raises(DomainError) as exc:
        actions.set_region(bw.bureau, code)
    assert exc.value.field == "region_code"
    assert bw.refresh().region_code == "150802"


def test_set_region_rejects_other_org(bw):
    for user in (bw.manager, bw.other_bureau, bw.sme, bw.banker, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.set_region(user, "3408")
    assert bw.refresh().region_code == "150802"


AGREEMENT = dict(number="XQ-9", signed_on=dt.date(2026, 1, 5), valid_from=dt.date(2026, 1, 5), valid_until=dt.date(2028, 1, 4),
                 joint_liability_principal=True, joint_liability_fee=True)


def test_a_bank_branch_outside_the_city_is_refused(bw):
    far = org_with(make_uscc("91340881MA2T00002"), "桐城某银行支行", Role.BANK, Role.MEMBER)
    with pytest.raises(DomainError) as exc:
        create_agreement(bw.manager, bank_id=far.pk, **AGREEMENT)
    assert exc.value.code == "bank_not_local" and exc.value.field == "branch_region"
    # the branch that serves the city may be recorded as such
    ag = create_agreement(bw.manager, bank_id=far.pk, branch_region="150802", **AGREEMENT)
    assert ag.branch_region == "150802"
    with pytest.raises(DomainError) as exc:
        create_agreement(bw.manager, bank_id=make_org("丙银行", Role.BANK).pk, branch_region="1508", **AGREEMENT | {"number": "X"})
    assert exc.value.field == "branch_region"


def test_agreements_record_the_branch_locality(bw):
    assert bw.agreement.branch_region == "150802"


def test_establish_with_an_explicit_city(db):
    bureau_org = make_org("财政局", Role.BUREAU, org_type="institution")
    OrganisationRole.objects.get_or_create(organisation=bureau_org, role=str(Role.BUREAU))
    fm = make_org("管理机构", Role.FUND_MANAGER)
    bureau = make_user(bureau_org, "cz", Position.MANAGER)
    with pytest.raises(DomainError) as exc:
        actions.establish_fund(bureau, name="F", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1), region_code="3408811")
    assert exc.value.field == "region_code"
    fund = actions.establish_fund(bureau, name="F", manager_org_id=fm.pk, established_on=dt.date(2025, 1, 1), region_code="340881")
    assert fund.region_code == "340881"
