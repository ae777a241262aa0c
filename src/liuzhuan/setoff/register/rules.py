"""Pure rules of the obligation register: the upload template, reading a file, checking a row.

No Django here (an import contract holds it): a row is checked for what it says by itself and
against the other rows of the same file; what needs the database (who the parties are, what the
counterparty already registered) is the action's part.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import MoneyError, parse_yuan
from liuzhuan.members.identity import clean_legal_id

#: the upload template's columns, in order: (key, Chinese header, required, example)
COLUMNS: tuple[tuple[str, str, bool, str], ...] = (
    ("creditor", "债权人统一社会信用代码", True, "91110000MA0000001L"),
    ("debtor", "债务人统一社会信用代码", True, "91110000MA0000002P"),
    ("amount", "金额（元）", True, "12,345.67"),
    ("basis", "债权债务依据（合同/发票编号）", True, "HT-2026-001"),
    ("due", "到期日", False, "2026-12-31"),
    ("note", "备注", False, ""),
)
HEADERS = [c[1] for c in COLUMNS]
_ALIASES = {
    "creditor": ("债权人统一社会信用代码", "债权人", "creditor", "creditor_uscc"),
    "debtor": ("债务人统一社会信用代码", "债务人", "debtor", "debtor_uscc"),
    "amount": ("金额（元）", "金额(元)", "金额", "amount"),
    "basis": ("债权债务依据（合同/发票编号）", "债权债务依据", "依据", "合同编号", "basis"),
    "due": ("到期日", "due", "due_date"),
    "note": ("备注", "note"),
}
_HEADER_TO_KEY = {alias.lower(): key for key, aliases in _ALIASES.items() for alias in aliases}

MAX_ROWS = 200_000
MAX_BYTES = 40 * 1024 * 1024
BASIS_MAX = 100
NOTE_MAX = 200


@dataclass(frozen=True)
class Row:
    """A row that reads correctly by itself; ``line`` is the file line (1 = header)."""

    line: int
    creditor: str
    debtor: str
    amount_fen: int
    basis: str
    due: dt.date | None
    note: str


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # the Chinese header of the column at fault, or "" for the whole row
    message: str


class FileRefused(DomainError):
    """The file as a whole cannot be read (not a spreadsheet, no header, too large …)."""

    status = 422

    def __init__(self, message: str, code: str = "bad_file"):
        super().__init__(code, message, field="file")


# --- reading a file ---------------------------------------------------------------------------


def read_table(name: str, content: bytes) -> list[list[str]]:
    """The file's rows as text cells (header first). CSV in UTF-8 (with or without BOM) or GBK; XLSX."""
    if len(content) > MAX_BYTES:
        raise FileRefused(f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入", "file_too_large")
    if not content.strip():
        raise FileRefused("文件为空", "empty_file")
    lower = (name or "").lower()
    if lower.endswith(".xlsx") or content[:2] == b"PK":
        return _read_xlsx(content)
    if lower.endswith((".xls", ".et", ".numbers", ".ods")):
        raise FileRefused("仅支持 .xlsx 或 .csv 文件；请在表格软件中另存为 .xlsx 后上传", "unsupported_format")
    return _read_csv(content)


def _read_csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content:
        raise FileRefused("文件不是文本格式的 CSV（含有二进制内容）；请上传 .csv 或 .xlsx", "not_csv")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise FileRefused("无法识别文件编码；请以 UTF-8 或 GBK 保存", "bad_encoding")
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise FileRefused(f"CSV 格式不正确：{exc}", "bad_csv") from exc


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # openpyxl is pure Python; imported here to keep start-up light

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused("文件不是有效的 Excel（.xlsx）文件；请用表格软件另存为 .xlsx 或 .csv 后再上传",
                          "not_xlsx") from exc
    try:
        ws = next((w for w in wb.worksheets if hasattr(w, "iter_rows")), None)
        if ws is None:
            raise FileRefused("工作簿中没有工作表（仅有图表）；请使用平台提供的导入模板", "no_worksheet")
        rows = []
        for values in ws.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except FileRefused:
        raise
    except Exception as exc:  # a damaged workbook fails while its rows are read, in many ways
        raise FileRefused("Excel 文件已损坏或不完整，无法读取；请重新保存为 .xlsx 后上传", "damaged_xlsx") from exc
    finally:
        wb.close()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores typed amounts as binary floats; 12345.67 reads back as its shortest repr
        return repr(value)
    return str(value).strip()


def map_header(header: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = _HEADER_TO_KEY.get((cell or "").strip().lower())
        if key and key not in cols:
            cols[key] = i
    missing = [h for key, h, required, _ in COLUMNS if required and key not in cols]
    if missing:
        raise FileRefused(f"缺少必填列：{'、'.join(missing)}（请使用平台提供的导入模板）", "missing_columns")
    return cols


# --- checking rows ----------------------------------------------------------------------------


def check_rows(table: list[list[str]], today: dt.date) -> tuple[list[Row], list[RowError]]:
    """Every data row either reads into a ``Row`` or yields errors naming its line and column."""
    if not table:
        raise FileRefused("文件为空", "empty_file")
    cols = map_header(table[0])
    body = [(i + 2, r) for i, r in enumerate(table[1:]) if any((c or "").strip() for c in r)]
    if not body:
        raise FileRefused("文件只有表头，没有数据行", "no_rows")
    if len(body) > MAX_ROWS:
        raise FileRefused(f"一次最多导入 {MAX_ROWS:,} 行，本文件有 {len(body):,} 行；请拆分后分批导入", "too_many_rows")
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, raw in body:
        cells = {key: (raw[i] if i < len(raw) else "").strip() for key, i in cols.items()}
        row, row_errors = check_row(line, cells, today)
        if row is not None:
            key = (row.creditor, row.debtor, row.basis)
            first = seen.setdefault(key, line)
            if first != line:
                row_errors.append(RowError(line, "", f"与第 {first} 行重复（同一债权人、债务人和依据）"))
                row = None
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    return rows, errors


def check_row(line: int, cells: dict[str, str], today: dt.date) -> tuple[Row | None, list[RowError]]:
    errors: list[RowError] = []
    header = {key: h for key, h, _, _ in COLUMNS}

    def legal_id(key: str) -> str:
        value = cells.get(key, "")
        if not value:
            errors.append(RowError(line, header[key], "不能为空"))
            return ""
        try:
            return clean_legal_id("enterprise", value)
        except DomainError as exc:
            errors.append(RowError(line, header[key], exc.message))
            return ""

    creditor, debtor = legal_id("creditor"), legal_id("debtor")
    if creditor and creditor == debtor:
        errors.append(RowError(line, header["debtor"], "债务人与债权人不能是同一主体"))
    amount = 0
    try:
        amount = parse_yuan(cells.get("amount", ""), allow_zero=False)
    except MoneyError as exc:
        errors.append(RowError(line, header["amount"], exc.message))
    basis = cells.get("basis", "")
    if not basis:
        errors.append(RowError(line, header["basis"], "不能为空"))
    elif len(basis) > BASIS_MAX:
        errors.append(RowError(line, header["basis"], f"不能超过 {BASIS_MAX} 个字符"))
    note = cells.get("note", "")
    if len(note) > NOTE_MAX:
        errors.append(RowError(line, header["note"], f"不能超过 {NOTE_MAX} 个字符"))
    due = None
    if cells.get("due"):
        try:
            due = parse_date(cells["due"])
        except ValueError as exc:
            errors.append(RowError(line, header["due"], str(exc)))
        else:
            if due.year < 2000 or due.year > today.year + 30:
                errors.append(RowError(line, header["due"], f"日期 {due.isoformat()} 不在合理范围内"))
    if errors:
        return None, errors
    return Row(line, creditor, debtor, amount, basis, due, note), errors


def required_reason(text: str | None, label: str) -> str:
    """A reason a party must give (a dispute, a declined agreement): 1–200 characters."""
    reason = (text or "").strip()
    if not reason:
        raise DomainError("reason_required", f"请填写{label}", field="reason")
    if len(reason) > NOTE_MAX:
        raise DomainError("reason_too_long", f"{label}不能超过 {NOTE_MAX} 个字符", field="reason")
    return reason


def parse_date(text: str) -> dt.date:
    t = text.strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    if " " in t:  # "2026-12-31 00:00:00" from a spreadsheet
        t = t.split(" ", 1)[0]
    try:
        y, m, d = (int(x) for x in t.split("-"))
        return dt.date(y, m, d)
    except (ValueError, TypeError):
        raise ValueError(f"日期“{text}”无法识别，请写成 2026-12-31") from None


# --- the template -----------------------------------------------------------------------------


def template_csv() -> bytes:
    """The Chinese CSV template (UTF-8 with BOM, so spreadsheet programs open it correctly)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADERS)
    w.writerow([c[3] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "债权债务"
    ws.append(HEADERS)
    ws.append([c[3] for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (26, 26, 14, 28, 12, 20), strict=True):
        ws.column_dimensions[letter].width = width
    notes = wb.create_sheet("填写说明")
    for key, header, required, _ in COLUMNS:
        notes.append([header, "必填" if required else "选填", _HELP[key]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_HELP = {
    "creditor": "18 位统一社会信用代码；本单位是债权人或债务人之一",
    "debtor": "18 位统一社会信用代码；不能与债权人相同",
    "amount": "以元为单位，最多两位小数，例如 12,345.67",
    "basis": "合同、发票或对账单编号；同一债权人、债务人、依据只能登记一笔",
    "due": "格式 2026-12-31；可不填",
    "note": "不超过 200 字",
}
