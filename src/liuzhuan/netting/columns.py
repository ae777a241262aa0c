"""The columns of an obligation list and the per-cell rules both readers share: header aliases,
the error that names a file line, amounts and due dates (split from reading.py by subject)."""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from datetime import date, datetime

from liuzhuan.core.money import (
    DEFAULT_CEILING_FEN,
    parse_fen,
    parse_yuan,
)

from .solver import NO_DUE

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "债务编号", "单号", "票据号"),
    "debtor": ("debtor", "债务人", "付款方", "欠款方", "from"),
    "creditor": ("creditor", "债权人", "收款方", "to"),
    "amount": ("amount", "金额", "金额(元)", "金额（元）", "金额(分)", "金额（分）"),
    "due": ("due", "due_date", "到期日", "到期日期"),
}
COLUMN_LABELS = {"id": "编号", "debtor": "债务人", "creditor": "债权人", "amount": "金额", "due": "到期日"}
REQUIRED = ("debtor", "creditor", "amount")

_ALIAS_TO_ROLE = {alias.lower(): role for role, aliases in COLUMN_ALIASES.items() for alias in aliases}
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an operating-system error."""
    reasons = {
        errno.ENOENT: "文件或目录不存在",
        errno.EACCES: "没有访问权限",
        errno.EISDIR: "这是一个目录",
        errno.ENOSPC: "磁盘空间不足",
        errno.EROFS: "文件系统只读",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


class InputError(ValueError):
    """A problem in an input file: ``line`` is the 1-based line (row) number, 0 for the file."""

    def __init__(self, line: int, message: str, code: str = "invalid", path: str | None = None):
        super().__init__(message)
        self.line = line
        self.message = message
        self.code = code
        self.path = path

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}" if self.line else self.message


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def _map_header(header: list) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = "" if raw is None else str(raw).strip().lstrip("\ufeff").strip().lower()
        role = _ALIAS_TO_ROLE.get(name)
        if role is None:
            continue
        if role in cols:
            raise InputError(1, f"列“{COLUMN_LABELS[role]}”出现了两次", "duplicate_column")
        cols[role] = i
    missing = [r for r in REQUIRED if r not in cols]
    if missing:
        names = "、".join(f"{r}（{COLUMN_LABELS[r]}）" for r in missing)
        raise InputError(1, f"缺少必需的列：{names}", "missing_column")
    return cols


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _amount_parser(fen: bool) -> Callable[[str], int]:
    """Fast exact path for plain numbers; anything else goes through liuzhuan.core.money."""
    ceiling = DEFAULT_CEILING_FEN

    if fen:

        def parse(text: str) -> int:
            if text.isascii() and text.isdigit():
                v = int(text)
                if 0 < v <= ceiling:
                    return v
            return parse_fen(text, allow_zero=False)

        return parse

    def parse(text: str) -> int:
        if text.isascii():
            if text.isdigit():
                v = int(text) * 100
                if 0 < v <= ceiling:
                    return v
            else:
                whole, dot, frac = text.partition(".")
                if dot and whole.isdigit() and frac.isdigit() and len(frac) <= 2:
                    v = int(whole) * 100 + (int(frac) * 10 if len(frac) == 1 else int(frac))
                    if 0 < v <= ceiling:
                        return v
        return parse_yuan(text, allow_zero=False)

    return parse


def _due_ordinal(text: str, cache: dict[str, int]) -> int:
    v = cache.get(text)
    if v is not None:
        return v
    s = text.strip()
    if not s:
        v = NO_DUE
    else:
        m = _DATE_RE.match(s)
        if m is None:
            raise ValueError(s)
        v = date(int(m.group(1)), int(m.group(2)), int(m.group(3))).toordinal()
    cache[text] = v
    return v
