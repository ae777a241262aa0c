"""The LPR table (贷款市场报价利率): one row per change, the row in force on a day, the 1 January
row (第七条), and the history shipped in ``bridge/data/lpr.csv``. Pure module: no Django import."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .common import BridgeError

#: LPR quotes under the new mechanism start on this date
LPR_REFORM_DATE = dt.date(2019, 8, 20)


class LprUnavailable(BridgeError):
    """No 1-year LPR is known for the date (before the first row of the table)."""

    def __init__(self, day: dt.date, first: dt.date | None):
        if first is None:
            message = "LPR 数据为空，无法确定一年期 LPR"
        else:
            message = (
                f"{day.isoformat()} 早于 LPR 数据起始日 {first.isoformat()}"
                "（贷款市场报价利率自 2019 年 8 月 20 日起按新机制报价），无法确定一年期 LPR"
            )
        super().__init__("lpr_unavailable", message, "date")
        self.day = day
        self.first = first


@dataclass(frozen=True)
class LprRow:
    """One LPR change: values in percent, in force from ``effective_date`` until the next row."""

    effective_date: dt.date
    lpr_1y: Decimal
    lpr_5y: Decimal


@dataclass(frozen=True)
class LprTable:
    rows: tuple[LprRow, ...]
    source: str = "memory"
    _dates: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        rows = tuple(sorted(self.rows, key=lambda r: r.effective_date))
        if not rows:
            raise BridgeError("lpr_empty", "LPR 数据为空")
        dates = tuple(r.effective_date for r in rows)
        if len(set(dates)) != len(dates):
            dup = next(d for d in dates if dates.count(d) > 1)
            raise BridgeError("lpr_duplicate", f"LPR 数据中生效日 {dup.isoformat()} 重复")
        for r in rows:
            for value in (r.lpr_1y, r.lpr_5y):
                if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
                    raise BridgeError(
                        "lpr_invalid", f"LPR 数据 {r.effective_date.isoformat()} 的利率“{value}”无效"
                    )
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "_dates", dates)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[dt.date, Decimal | str, Decimal | str]], source: str) -> LprTable:
        out = []
        for day, one, five in rows:
            try:
                out.append(LprRow(day, Decimal(str(one)), Decimal(str(five))))
            except InvalidOperation as exc:
                raise BridgeError("lpr_invalid", f"LPR 数据 {day} 的利率无效") from exc
        return cls(tuple(out), source)

    @property
    def first_date(self) -> dt.date:
        return self.rows[0].effective_date

    @property
    def latest(self) -> LprRow:
        return self.rows[-1]

    def on(self, day: dt.date) -> LprRow:
        """The row in force on ``day``: the latest ``effective_date`` ≤ ``day``."""
        i = bisect.bisect_right(self._dates, day)
        if i == 0:
            raise LprUnavailable(day, self.first_date)
        return self.rows[i - 1]

    def changes_between(self, after: dt.date, upto: dt.date) -> tuple[LprRow, ...]:
        """Rows taking effect strictly after ``after`` and on or before ``upto``."""
        lo = bisect.bisect_right(self._dates, after)
        hi = bisect.bisect_right(self._dates, upto)
        return self.rows[lo:hi]


def parse_lpr_csv(text: str, source: str = "csv") -> LprTable:
    """Parse ``effective_date,lpr_1y_percent,lpr_5y_percent`` (header required)."""
    reader = csv.DictReader(io.StringIO(text))
    need = {"effective_date", "lpr_1y_percent", "lpr_5y_percent"}
    if reader.fieldnames is None or not need <= {f.strip() for f in reader.fieldnames}:
        raise BridgeError(
            "lpr_header", f"LPR 文件 {source} 缺少表头 effective_date,lpr_1y_percent,lpr_5y_percent"
        )
    rows = []
    for n, raw in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not any(rec.values()):
            continue
        try:
            day = dt.date.fromisoformat(rec["effective_date"])
            rows.append(LprRow(day, Decimal(rec["lpr_1y_percent"]), Decimal(rec["lpr_5y_percent"])))
        except (ValueError, InvalidOperation) as exc:
            raise BridgeError("lpr_invalid", f"LPR 文件 {source} 第 {n} 行格式不正确") from exc
    return LprTable(tuple(rows), source)


def load_lpr_csv(path: str | Path | None = None) -> LprTable:
    """Load a CSV file; ``None`` loads the history shipped with the package."""
    if path is None:
        return shipped_table()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BridgeError("lpr_file", f"无法读取 LPR 文件 {p}") from exc
    return parse_lpr_csv(text, str(p))


@lru_cache(maxsize=1)
def shipped_table() -> LprTable:
    """The LPR history shipped as ``liuzhuan/bridge/data/lpr.csv``."""
    text = resources.files("liuzhuan.bridge").joinpath("data/lpr.csv").read_text(encoding="utf-8-sig")
    return parse_lpr_csv(text, "shipped:liuzhuan/bridge/data/lpr.csv")


def default_table() -> LprTable:
    return shipped_table()


def lpr_on(day: dt.date, table: LprTable | None = None) -> LprRow:
    """The LPR row in force on ``day`` (latest ``effective_date`` ≤ ``day``)."""
    return (table or default_table()).on(day)


def jan1_lpr(year: int, table: LprTable | None = None) -> LprRow:
    """The row in force on 1 January of ``year`` (Article 7, entrusted business)."""
    return lpr_on(dt.date(year, 1, 1), table)
