"""Roles an organisation can hold. Pure module: no Django import."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OPERATOR = "operator"
    MEMBER = "member"
    BANK = "bank"
    MERCHANT = "merchant"
    PURCHASER = "purchaser"
    HOUSING = "housing"
    REGULATOR = "regulator"
    FUND_MANAGER = "fund_manager"
    BUREAU = "bureau"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OPERATOR: "债权管理服务机构",
    Role.MEMBER: "会员",
    Role.BANK: "合作银行",
    Role.MERCHANT: "特约商户",
    Role.PURCHASER: "市场化收购主体",
    Role.HOUSING: "存量房盘活主体",
    Role.REGULATOR: "监管部门",
    Role.FUND_MANAGER: "过桥资金管理机构",
    Role.BUREAU: "财政局",
}

ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]

#: roles whose users only ever read
#: roles that may see every organisation's records (read-only for the regulator)
OVERSIGHT_ROLES = frozenset({Role.OPERATOR, Role.REGULATOR, Role.BUREAU})


class Department(StrEnum):
    """Which department an oversight organisation is (信息化监管平台: each department supervises through
    its own dashboard). The finance bureau is also a role (it acts on the bridge fund); the other
    departments only read, so they are regulator organisations told apart by this."""

    FINANCE = "finance"
    HOUSING = "housing"
    MARKET = "market"
    LEADING_GROUP = "leading_group"
    REGULATOR = "regulator"

    @property
    def label(self) -> str:
        return DEPARTMENT_LABELS[self]


DEPARTMENT_LABELS: dict[Department, str] = {
    Department.FINANCE: "财政局",
    Department.HOUSING: "住建局",
    Department.MARKET: "市场监管局",
    Department.LEADING_GROUP: "领导小组办公室",
    Department.REGULATOR: "监管部门",
}

DEPARTMENT_CHOICES = [(d.value, DEPARTMENT_LABELS[d]) for d in Department]
