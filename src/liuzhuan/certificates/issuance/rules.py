"""Issuance rules that need no database (pure: no Django import)."""

from __future__ import annotations

import datetime as dt

#: the applicants' own text on guarantees (资产保障措施), printed on the paper certificate
GUARANTEE_MAX_CHARS = 2000

#: a certificate's maturity (清偿期限) is at most this many years after the application day
MAX_TERM_YEARS = 5


def latest_maturity(today: dt.date) -> dt.date:
    """The last maturity an application made ``today`` may ask for (29 February → 28 February)."""
    try:
        return today.replace(year=today.year + MAX_TERM_YEARS)
    except ValueError:
        return today.replace(year=today.year + MAX_TERM_YEARS, day=28)


#: the first review's checklist (初审核查清单): item → what the operator's reviewer confirms having read
#: in the attached contract. The applicants' tick (non_cash_declared) is their statement; this is the check.
REVIEW_CHECKS = {
    "non_cash_terms": "基础合同的清偿条款约定以非货币方式清偿（已核对合同原文）",
}
#: checklist items that must be recorded before the certificate may be approved (同意开具)
REQUIRED_FOR_APPROVAL = ("non_cash_terms",)


def missing_checks(recorded) -> list[str]:
    """The items still to be recorded before approval, in checklist order."""
    done = set(recorded)
    return [item for item in REQUIRED_FOR_APPROVAL if item not in done]


MATURITY_TEXT = f"清偿期限（YYYY-MM-DD）：晚于申请日，至多为申请日起 {MAX_TERM_YEARS} 年"
