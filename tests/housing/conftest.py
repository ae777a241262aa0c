"""Housing fixtures: the housing entity (汇浦房产, also a member: it is the debtor of the
certificates its pool takes back), certificates it owes, pool units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.core.dates import today_china
from liuzhuan.core.roles import Role
from liuzhuan.housing import actions

from ..certificates.conftest import app_input, attach_contract, check_contract
from ..conftest import make_org, make_user

TODAY = today_china()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass
class Pool:
    org: object
    user: object  # the housing entity's manager
    other_org: object  # another housing entity
    other: object


@pytest.fixture
def pool(world) -> Pool:
    org = make_org("汇浦房产", Role.HOUSING, Role.MEMBER)
    other = make_org("另一盘活公司", Role.HOUSING, Role.MEMBER)
    return Pool(org, make_user(org, "hp_user", "manager"), other, make_user(other, "other_hp", "manager"))


def unit_data(**kw) -> dict:
    base = dict(kind="resale", project="河畔花园", building="3号楼", unit_no="1201", area_m2="98.56", use="home",
                valuation_fen=600_000_00, valuation_basis="评估报告 PG-2026-01", valuation_date=TODAY - dt.timedelta(days=3))
    base.update(kw)
    return base


def add_unit(pool: Pool, **kw):
    return actions.add_unit(pool.user, **unit_data(**kw))


def owed_certificate(world, pool: Pool, creditor=None, amount_fen: int = 1_000_000_00, contract_no: str = "HT-HP-1"):
    """A certificate the housing entity owes ``creditor`` (alice by default), issued the normal way."""
    creditor = creditor or world.alice
    app = issuance.create_application(creditor, app_input(pool.org, amount_fen=amount_fen, contract_no=contract_no))
    attach_contract(creditor, app)
    issuance.confirm_application(pool.user, app.pk)
    check_contract(world.clerk, app)
    issuance.prepare_review(world.clerk, app.pk, "approve")
    issuance.decide_review(world.checker, app.pk, True)
    app.refresh_from_db()
    cert = app.certificate
    return cert, cert.pieces.get()


def record_steps(user, tx, *steps):
    for i, step in enumerate(steps):
        actions.record_step(user, tx.pk, step, f"DJ-{tx.pk}-{i}", TODAY)
