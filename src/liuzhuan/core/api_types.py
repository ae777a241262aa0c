"""Bounded, strict types for API parameters and bodies: one place for the ranges the API accepts.

Every integer an API client sends is bounded here, so an out-of-range number is a 422 naming the
field, never a database overflow (a 500). Two families:

* path and query parameters arrive as text: ``Id``, ``QueryDate``… parse it;
* JSON bodies are strict: ``IdIn``, ``Fen``, ``PositiveFen``, ``Days``… refuse ``true`` for 1 and
  ``"100"`` for 100 (an amount is a JSON integer of fen), ``Flag`` refuses ``"yes"`` and ``1``.

Dates are bounded to ``DATE_MIN``..``DATE_MAX`` (a year of 9999 overflows date arithmetic);
business limits (a certificate's maturity within a few years) stay in the actions, which pages
share, and are stated in each field's description.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, Strict

#: the largest primary key either database stores (PostgreSQL bigint, SQLite integer)
MAX_ID = 2**63 - 1
#: the largest amount the API takes: ¥1,000,000,000,000.00 (the certificate ceiling's default)
MAX_FEN = 10**14
YEAR_MIN, YEAR_MAX = 2000, 2100
DATE_MIN, DATE_MAX = dt.date(YEAR_MIN, 1, 1), dt.date(YEAR_MAX, 12, 31)
#: day counts (offer periods, planned usage, extensions): at most ten years
MAX_DAYS = 3660
#: anything else counted (list sizes, sequence numbers, basis points): the 32-bit range
MAX_COUNT = 2**31 - 1

_DATE_RANGE = f"{DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d}"

# --- path and query parameters (text, parsed) -------------------------------------------------
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="对象 id（正整数）")]
QueryCount = Annotated[int, Field(ge=0, le=MAX_COUNT)]
QueryDayBasis = Annotated[int, Field(ge=360, le=365, description="计息基准天数：360 或 365")]
QueryDate = Annotated[dt.date, Field(ge=DATE_MIN, le=DATE_MAX, description=f"日期（{_DATE_RANGE}）")]

# --- JSON bodies (strict) ---------------------------------------------------------------------
IdIn = Annotated[int, Strict(), Field(ge=1, le=MAX_ID, description="对象 id（JSON 整数）")]
Fen = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN, description="金额（分，JSON 整数）")]
PositiveFen = Annotated[int, Strict(), Field(ge=1, le=MAX_FEN, description="金额（分，JSON 整数，大于零）")]
Year = Annotated[int, Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX, description=f"年份（{YEAR_MIN}–{YEAR_MAX}）")]
Days = Annotated[int, Strict(), Field(ge=0, le=MAX_DAYS, description=f"天数（0–{MAX_DAYS}）")]
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]
Percent = Annotated[int, Strict(), Field(ge=0, le=100, description="百分数（0–100）")]
Quarter = Annotated[int, Strict(), Field(ge=1, le=4, description="季度（1–4）")]
DayBasis = Annotated[int, Strict(), Field(ge=360, le=365, description="计息基准天数：360 或 365")]
TokenDays = Annotated[int, Strict(), Field(ge=1, le=3650, description="有效天数（1–3650）；为空表示长期有效")]
Flag = Annotated[bool, Strict()]
Date = Annotated[dt.date, Field(ge=DATE_MIN, le=DATE_MAX, description=f"日期（YYYY-MM-DD，{_DATE_RANGE}）")]
