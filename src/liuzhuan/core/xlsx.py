"""Generic Excel export: a queryset and a column spec in, an .xlsx (openpyxl write-only mode) out.
Any app may use it (core imports no business app)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

YUAN_FORMAT = "#,##0.00"


@dataclass(frozen=True)
class Column:
    """One column: a Chinese header and the attribute path (``a__b``) or a callable per row.
    Paths ending in ``_fen`` are written in yuan (fen / 100) with ``#,##0.00`` and summed in the totals row."""

    header: str
    path: str | Callable[[Any], Any]

    @property
    def money(self) -> bool:
        return isinstance(self.path, str) and self.path.endswith("_fen")

    def value(self, row):
        if callable(self.path):
            return self.path(row)
        v = row
        for part in self.path.split("__"):
            v = getattr(v, part, None)
            if v is None:
                return None
        return v


def workbook_bytes(rows, columns: list[Column], *, title: str, filter_text: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    bold = Font(bold=True)

    def cell(value, *, money=False, strong=False):
        c = WriteOnlyCell(ws, value=value)
        if money:
            c.number_format = YUAN_FORMAT
        if strong:
            c.font = bold
        return c

    ws.append([cell(f"{title}（筛选：{filter_text or '全部'}）", strong=True)])
    ws.append([cell(c.header, strong=True) for c in columns])
    totals = [0] * len(columns)
    count = 0
    for row in rows:
        count += 1
        out = []
        for i, col in enumerate(columns):
            v = col.value(row)
            if col.money and v is not None:
                totals[i] += v
                v = v / 100
            elif v is not None and not isinstance(v, (int, float, str)):
                v = str(v)
            out.append(cell(v, money=col.money))
        ws.append(out)
    total_row = [cell(f"合计（{count} 条）", strong=True)]
    for i, col in enumerate(columns[1:], start=1):
        total_row.append(cell(totals[i] / 100, money=True, strong=True) if col.money else cell(None))
    ws.append(total_row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(rows, columns: list[Column], *, title: str, filename: str, filter_text: str = "") -> HttpResponse:
    data = workbook_bytes(rows, columns, title=title, filter_text=filter_text)
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
