"""Bridge fund fixtures: a fund, its manager (maker/checker), the bureau, two banks, SMEs, outsiders.

Business dates are fixed (``TODAY`` = Monday 2 March 2026, LPR 1Y 3.00 % in force since
2025-05-20) and passed to the actions, so figures never depend on the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liuzhuan.bridge.application.actions import (
    ApplicationInput,
    approve,
    bank_confirm,
    create_checklist,
    file_checklist,
    prepare,
    review_check,
    submit_application,
)
from liuzhuan.bridge.application.rules import ELIGIBILITY_ITEMS
from liuzhuan.bridge.banks.actions import create_agreement
from liuzhuan.bridge.demo import material_pdf
from liuzhuan.bridge.fund.actions import change_principal, establish_fund, set_rates
from liuzhuan.bridge.loan.actions import disburse
from liuzhuan.bridge.models.application import Application, ChecklistVersion
from liuzhuan.bridge.models.banks import BankAgreement
from liuzhuan.bridge.models.fund import Fund
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Organisation, Position, User

from ..conftest import make_org, make_user

TODAY = dt.date(2026, 3, 2)
ESTABLISHED = dt.date(2025, 1, 1)
#: the test banks' agreements run past the real today too (tests that use the real date would
#: otherwise fail once a fixed end date is behind us)
AGREEMENTS_END = dt.date(max(2027, dt.date.today().year + 2), 12, 31)
YUAN = 100
#: fund principal: 10,000,000 yuan
PRINCIPAL = 10_000_000 * YUAN


def exact_half_up(value: Fraction) -> int:
    """Reference rounding on exact rationals (independent of Decimal)."""
    return math.floor(value + Fraction(1, 2))


@dataclass
class BW:
    bureau_org: Organisation
    bureau: User
    fund_org: Organisation
    manager: User  # 负责人 (checker)
    clerk: User  # 经办 (maker)
    clerk2: User  # a second staff member (not a 负责人)
    other_fm_org: Organisation
    other_fm: User
    other_bureau: User
    bank_org: Organisation
    banker: User
    bank2_org: Organisation
    banker2: User
    sme_org: Organisation
    sme: User
    sme2_org: Organisation
    sme2: User
    inspector: User
    fund: Fund
    agreement: BankAgreement
    agreement2: BankAgreement
    checklist: ChecklistVersion

    def refresh(self) -> Fund:
        self.fund.refresh_from_db()
        return self.fund


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploaded application materials do not land in var/


@pytest.fixture
def bw(db) -> BW:
    bureau_org = make_org("桐城市财政局", Role.BUREAU, org_type="institution")
    fund_org = make_org("兴财控股", Role.FUND_MANAGER)
    other_fm_org = make_org("别处控股", Role.FUND_MANAGER)
    other_bureau_org = make_org("别处财政局", Role.BUREAU, org_type="institution")
    bank_org = make_org("甲银行", Role.BANK, Role.MEMBER)
    bank2_org = make_org("乙银行", Role.BANK, Role.MEMBER)
    sme_org = make_org("甲企业", Role.MEMBER)
    sme2_org = make_org("乙企业", Role.MEMBER)
    reg_org = make_org("金融监管支局", Role.REGULATOR, org_type="institution")
    bureau = make_user(bureau_org, "czj", Position.MANAGER)
    manager = make_user(fund_org, "xc_head", Position.MANAGER)
    clerk = make_user(fund_org, "xc_maker")
    clerk2 = make_user(fund_org, "xc_maker2")
    other_fm = make_user(other_fm_org, "bc_head", Position.MANAGER)
    other_bureau = make_user(other_bureau_org, "bc_czj", Position.MANAGER)
    banker = make_user(bank_org, "jia_bank", Position.MANAGER)
    banker2 = make_user(bank2_org, "yi_bank", Position.MANAGER)
    sme = make_user(sme_org, "jia_sme", Position.MANAGER)
    sme2 = make_user(sme2_org, "yi_sme", Position.MANAGER)
    inspector = make_user(reg_org, "jg")
    fund = establish_fund(bureau, name="桐城市中小企业续贷过桥资金", manager_org_id=fund_org.pk,
                          established_on=ESTABLISHED, annual_turnover_target=Decimal("8"))
    change_principal(bureau, kind="contribute", amount_fen=PRINCIPAL, effective_on=ESTABLISHED,
                     document_no="桐财〔2025〕1号", on=TODAY)
    set_rates(manager, day_basis=360, self_daily_rate=Decimal("0.0003"), entrusted_multiplier=Decimal("1"),
              penalty_annual_rate=Decimal("0.10"), on=TODAY)
    ag = create_agreement(manager, bank_id=bank_org.pk, number="XQ-2025-01", signed_on=ESTABLISHED,
                          valid_from=ESTABLISHED, valid_until=AGREEMENTS_END,
                          joint_liability_principal=True, joint_liability_fee=True, entrusted_allowed=True)
    ag2 = create_agreement(manager, bank_id=bank2_org.pk, number="XQ-2025-02", signed_on=ESTABLISHED,
                           valid_from=ESTABLISHED, valid_until=AGREEMENTS_END,
                           joint_liability_principal=True, joint_liability_fee=True)
    cl = create_checklist(manager, items=["过桥资金申请书", "营业执照"], process="受理—初审—复核—银行确认—放款—收回")
    file_checklist(manager, cl.pk)
    fund.refresh_from_db()
    return BW(bureau_org, bureau, fund_org, manager, clerk, clerk2, other_fm_org, other_fm, other_bureau, bank_org, banker,
              bank2_org, banker2, sme_org, sme, sme2_org, sme2, inspector, fund, ag, ag2, cl)


def material_files(tag: str = "", keys=("m1", "m2")) -> dict:
    """One tiny PDF per checklist item (content differs per item and per ``tag``)."""
    return {k: [(f"{k}.pdf", material_pdf(f"{tag} {k}"))] for k in keys}


def multipart_application(payload: dict, files: dict | None = None) -> dict:
    """The API's multipart body: ``data`` (the JSON) and ``materials.<key>`` files."""
    files = material_files(str(payload.get("original_contract_no", ""))) if files is None else files
    body = {"data": json.dumps(payload)}
    for key, given in files.items():
        body[f"materials.{key}"] = [SimpleUploadedFile(name, content) for name, content in given]
    return body


def page_files(tag: str = "page") -> dict:
    """The apply page's file inputs (fresh objects: a posted file is read once)."""
    return {f"materials.{k}": [SimpleUploadedFile(n, c) for n, c in given] for k, given in material_files(tag).items()}


def api_apply(client, payload: dict, files: dict | None = None):
    return client.post_form("/bridge/applications", multipart_application(payload, files))


def app_input(bw: BW, **over) -> ApplicationInput:
    data = dict(
        bank_id=bw.bank_org.pk,
        sme_size="small",
        original_contract_no="JY-LD-2025-0088",
        original_loan_type="working_capital",
        original_due_fen=1_200_000 * YUAN,
        original_due_date=TODAY + dt.timedelta(days=1),
        classification="normal",
        loan_account="6228 0000 1111",
        renewal_approval_fen=1_000_000 * YUAN,
        renewal_approval_no="甲银批〔2026〕18号",
        renewal_approval_date=TODAY - dt.timedelta(days=3),
        amount_fen=1_000_000 * YUAN,
        planned_days=10,
        planned_draw_date=TODAY,
        purpose_confirmed=True,
        evidence={k: f"{k} 证明材料" for k, _ in ELIGIBILITY_ITEMS},
        materials={"m1": "申请书原件", "m2": "营业执照副本"},
    )
    data.update(over)
    data.setdefault("files", material_files(data["original_contract_no"]))
    return ApplicationInput(**data)


def submitted(bw: BW, user: User | None = None, on: dt.date = TODAY, **over) -> Application:
    over.setdefault("planned_draw_date", on)
    over.setdefault("original_due_date", on + dt.timedelta(days=1))
    over.setdefault("renewal_approval_date", on - dt.timedelta(days=3))
    return submit_application(user or bw.sme, app_input(bw, **over), on=on)


def tick_all(bw: BW, app: Application) -> None:
    for c in app.checks.all():
        review_check(bw.clerk, app.pk, c.pk, passed=True)


def prepared(bw: BW, mode: str = "self", **over) -> Application:
    app = submitted(bw, **over)
    tick_all(bw, app)
    return prepare(bw.clerk, app.pk, mode=mode, on=over.get("on", TODAY))


def approved(bw: BW, **kw) -> Application:
    app = prepared(bw, **kw)
    return approve(bw.manager, app.pk, on=kw.get("on", TODAY))


def confirm_args(app: Application, **over) -> dict:
    """What the lending bank confirms: its figures, the loan's due date, the repayment account at the
    bank (here the one the applicant typed) and the days (here the ones requested)."""
    return dict(renewal_approval_fen=app.renewal_approval_fen, renewal_approval_no=app.renewal_approval_no,
                renewal_approval_date=app.renewal_approval_date, renewal_in_progress=True, classification="normal",
                original_due_date=app.original_due_date, confirmed_account=app.loan_account, term_days=app.planned_days,
                on=TODAY) | over


def confirmed(bw: BW, **kw) -> Application:
    app = approved(bw, **kw)
    return bank_confirm(bw.banker if app.bank_id == bw.bank_org.pk else bw.banker2, app.pk,
                        **confirm_args(app, on=kw.get("on", TODAY)))


def disbursed(bw: BW, on: dt.date = TODAY, **kw) -> Application:
    app = confirmed(bw, on=on, **kw)
    return disburse(bw.clerk, app.pk, account=app.confirmed_account, voucher=f"HK-{app.pk}", on=on)
