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
from dataclasses import dataclass, field
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
    #: sum it in the totals row (default: every money column)
    total: bool | None = None

    @property
    def is_money(self) -> bool:
        if self.money is not None:
            return self.money
        return isinstance(self.path, str) and self.path.endswith("_fen")

    @property
    def summed(self) -> bool:
        return self.is_money if self.total is None else self.total

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


@dataclass
class Sheet:
    """One worksheet: a title line (with the filter used, unless ``filter_text`` is None), optional
    ``summary`` lines (label, value; a label with an empty value is a bold section heading), then a
    table of ``rows`` under ``columns`` with a totals row. ``rows`` is consumed once."""

    name: str
    title: str
    rows: Iterable = ()
    columns: list[Column] = field(default_factory=list)
    filter_text: str | None = ""
    summary: list[tuple[str, Any]] | None = None
    totals: bool = True


def _write_sheet(wb: Workbook, sheet: Sheet) -> int:
    ws = wb.create_sheet(sheet.name[:31])
    columns = sheet.columns
    bold = Font(bold=True)
    widths = [c.width for c in columns]
    if sheet.summary and not any(widths):
        widths = [38, 60]
    for i, width in enumerate(widths):
        if width:
            ws.column_dimensions[get_column_letter(i + 1)].width = width

    def cell(value, *, money=False, strong=False):
        c = WriteOnlyCell(ws, value=value)
        if money:
            c.number_format = YUAN_FORMAT
        if strong:
            c.font = bold
        return c

    head = sheet.title if sheet.filter_text is None else f"{sheet.title}（筛选：{sheet.filter_text or '全部'}）"
    ws.append([cell(head, strong=True)])
    for label, value in sheet.summary or ():
        ws.append([cell(label, strong=not value), cell(value)])
    if not columns:
        return 0
    if sheet.summary:
        ws.append([])
    ws.append([cell(c.header, strong=True) for c in columns])
    sums = [0] * len(columns)
    count = 0
    money = [c.is_money for c in columns]
    for row in sheet.rows:
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
    if sheet.totals:
        total_row = [cell(f"合计（{count} 条）", strong=True)]
        for i in range(1, len(columns)):
            total_row.append(cell(yuan(sums[i]), money=True, strong=True) if columns[i].summed else cell(None))
        ws.append(total_row)
    return count


def write_sheets(target, sheets: list[Sheet]) -> list[int]:
    """Write a workbook of ``sheets`` to ``target`` (a path or a binary file); rows written per sheet."""
    wb = Workbook(write_only=True)
    counts = [_write_sheet(wb, sheet) for sheet in sheets]
    wb.save(target)
    return counts


def write_workbook(target, rows: Iterable, columns: list[Column], *, title: str, filter_text: str = "",
                   summary: list[tuple[str, Any]] | None = None, totals: bool = True) -> int:
    """Write a one-sheet workbook to ``target``; the number of rows written."""
    return write_sheets(target, [Sheet(title, title, rows, columns, filter_text, summary, totals)])[0]


def sheets_bytes(sheets: list[Sheet]) -> bytes:
    with tempfile.TemporaryFile() as f:
        write_sheets(f, sheets)
        f.seek(0)
        return f.read()


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
