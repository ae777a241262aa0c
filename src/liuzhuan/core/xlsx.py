"""Generic Excel export: rows and a column spec in, an .xlsx out (openpyxl write-only mode). Any
app may use it (core imports no business app).

One path for every list and report: a title line with the filter used, optional key/value lines
(a report's summary), Chinese headers, the rows, a totals row. Amounts (``*_fen`` paths, or
``money=True``) are written in yuan as exact ``Decimal`` values with ``#,##0.00``.

Large exports: write-only mode keeps only the current row in memory (openpyxl spools the sheet to
a temporary file), the workbook is saved to a temporary file, and the response streams that file
in blocks (``FileResponse``), so memory stays flat whatever the row count and no whole workbook is
ever held as one ``bytes``. Callers pass ``queryset.iterator(chunk_size=…)``, not a list.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

YUAN_FORMAT = "#,##0.00"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column: a Chinese header and the attribute path (``a__b``) or a callable per row (an
    object or a dict). Paths ending in ``_fen`` (or ``money=True``) hold fen, are written in yuan
    with ``#,##0.00`` and summed in the totals row; ``width`` in characters."""

    header: str
    path: str | Callable[[Any], Any]
    money: bool | None = None
    width: int | None = None

    @property
    def is_money(self) -> bool:
        if self.money is not None:
            return self.money
        return isinstance(self.path, str) and self.path.endswith("_fen")

    def value(self, row):
        if callable(self.path):
            return self.path(row)
        v = row
        for part in self.path.split("__"):
            v = v.get(part) if isinstance(v, dict) else getattr(v, part, None)
            if v is None:
                return None
        return v


def yuan(fen: int) -> Decimal:
    """Fen as exact yuan for a spreadsheet cell (no float on the way)."""
    return Decimal(fen).scaleb(-2)


def write_workbook(target, rows: Iterable, columns: list[Column], *, title: str, filter_text: str = "",
                   summary: list[tuple[str, Any]] | None = None, totals: bool = True) -> int:
    """Write the workbook to ``target`` (a path or a binary file); the number of rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    bold = Font(bold=True)
    for i, col in enumerate(columns):
        if col.width:
            ws.column_dimensions[get_column_letter(i + 1)].width = col.width

    def cell(value, *, money=False, strong=False):
        c = WriteOnlyCell(ws, value=value)
        if money:
            c.number_format = YUAN_FORMAT
        if strong:
            c.font = bold
        return c

    ws.append([cell(f"{title}（筛选：{filter_text or '全部'}）", strong=True)])
    for label, value in summary or ():
        ws.append([cell(label, strong=True), cell(value)])
    if summary:
        ws.append([])
    ws.append([cell(c.header, strong=True) for c in columns])
    sums = [0] * len(columns)
    count = 0
    money = [c.is_money for c in columns]
    for row in rows:
        count += 1
        out = []
        for i, col in enumerate(columns):
            v = col.value(row)
            if money[i] and v is not None:
                sums[i] += v
                v = yuan(v)
            elif v is not None and not isinstance(v, (int, float, str, Decimal)):
                v = str(v)
            out.append(cell(v, money=money[i]))
        ws.append(out)
    if totals:
        total_row = [cell(f"合计（{count} 条）", strong=True)]
        for i in range(1, len(columns)):
            total_row.append(cell(yuan(sums[i]), money=True, strong=True) if money[i] else cell(None))
        ws.append(total_row)
    wb.save(target)
    return count


def workbook_bytes(rows, columns: list[Column], *, title: str, filter_text: str = "", **kw) -> bytes:
    """The workbook as bytes: for small exports and for attaching to a stored report."""
    with tempfile.TemporaryFile() as f:
        write_workbook(f, rows, columns, title=title, filter_text=filter_text, **kw)
        f.seek(0)
        return f.read()


def xlsx_response(rows, columns: list[Column], *, title: str, filename: str, filter_text: str = "",
                  **kw) -> FileResponse:
    """The export as a download streamed from a temporary file (deleted when the response closes)."""
    f = tempfile.TemporaryFile()
    try:
        write_workbook(f, rows, columns, title=title, filter_text=filter_text, **kw)
    except BaseException:
        f.close()
        raise
    f.seek(0)
    return FileResponse(f, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
