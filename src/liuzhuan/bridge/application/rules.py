"""What an application must show (第八条、第九条) and when the money may be drawn (around the
original loan's maturity). Pure module: no Django import. Where an applicant must be registered
(本市) is decided in ``fund/rules.py``, beside the fund's city.

The amount and day limits (第十条) are checked with the fee quote (``bridge/rates/``).
"""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import is_workday

#: Article 8 (with Art. 3 on who counts as an SME): each item needs evidence and a reviewer's tick
ELIGIBILITY_ITEMS: list[tuple[str, str]] = [
    ("sme", "属于《中小企业划型标准规定》的中型、小型、微型企业或个体工商户、小微企业主、涉农组织等（第三条）"),
    ("registered", "在本市工商注册登记，具有独立法人资格，依法纳税（第八条（一））"),
    ("industry", "符合产业政策和环境保护标准，生产经营正常，具有持续经营能力，积极吸纳就业（第八条（二））"),
    ("credit", "财务状况良好、信用记录完整，无挪用贷款、欠款欠息等不良行为；原流动资金周转贷款为正常类（第八条（三））"),
    ("hardship", "确实存在流动资金困难，贷款银行确认正在办理续贷手续并同意给予续贷（第八条（四））"),
]

#: short names for messages
ELIGIBILITY_SHORT = {
    "sme": "中小企业划型（第三条）",
    "registered": "注册登记及依法纳税（第八条（一））",
    "industry": "产业政策及持续经营（第八条（二））",
    "credit": "信用状况及原贷款为正常类（第八条（三））",
    "hardship": "流动资金困难及银行同意续贷（第八条（四））",
}

DEFAULT_MATERIALS = [
    "过桥资金申请书",
    "营业执照、法定代表人身份证明",
    "近一年财务报表及纳税证明",
    "原贷款合同及借据",
    "贷款银行续贷批复（审批通知书）",
    "企业征信报告",
]


# ---------------------------------------------------------------------------------------------
# The draw is tied to the maturing loan (第八条（三）、第十条（一）)
# ---------------------------------------------------------------------------------------------

#: bridge money repays the original loan at its maturity: it is drawn no earlier than this many
#: working days before the original loan's due date, and not after that date
DRAW_WINDOW_WORKDAYS = 5


def compact_account(account: str) -> str:
    """An account number without the spaces people type into it (``6228 0000 1111`` = ``622800001111``)."""
    return "".join((account or "").split())


def earliest_draw(due: dt.date, workdays: int = DRAW_WINDOW_WORKDAYS) -> dt.date:
    """The ``workdays``-th working day before ``due`` (``due`` itself not counted)."""
    day, left = due, workdays
    while left > 0:
        day -= dt.timedelta(days=1)
        if is_workday(day):  # Monday–Friday for a year the calendar does not cover yet
            left -= 1
    return day


def overdue_refusal(due: dt.date, today: dt.date) -> str | None:
    """An original loan past its due date is overdue, so not 正常类 (第八条（三））."""
    if due < today:
        return (f"原贷款已于 {due.isoformat()} 到期，今天（{today.isoformat()}）已逾期，不属于正常类贷款，"
                "不能办理续贷过桥（第八条（三））")
    return None


def draw_window_refusal(draw: dt.date, due: dt.date) -> str | None:
    """Why ``draw`` is not a bridge draw for a loan due on ``due`` (see ``DRAW_WINDOW_WORKDAYS``), or None."""
    if draw > due:
        return (f"提款日 {draw.isoformat()} 晚于原贷款到期日 {due.isoformat()}：原贷款已逾期，不属于正常类，"
                "不能办理续贷过桥（第八条（三））")
    start = earliest_draw(due)
    if draw < start:
        return (f"提款日 {draw.isoformat()} 距原贷款到期日 {due.isoformat()} 超过 {DRAW_WINDOW_WORKDAYS} 个工作日："
                f"过桥资金用于到期还贷续贷，最早 {start.isoformat()} 提款（第十条（一））")
    return None
