"""The generic Excel export: many rows in constant memory, exact yuan, totals, the filter in the title."""

import datetime as dt
import tempfile
import tracemalloc
from decimal import Decimal

from openpyxl import load_workbook

from liuzhuan.core.xlsx import Column, Sheet, sheets_bytes, write_workbook

ROWS = 20_000
COLUMNS = [Column("编号", "number"), Column("日期", "day"), Column("机构", "org__name"),
           Column("状态", lambda r: "有效" if r["n"] % 2 else "已结清"), Column("金额（元）", "amount_fen")]


def _rows(n):
    day = dt.date(2026, 1, 1)
    for i in range(n):  # a generator: nothing of the export is held by the caller
        yield {"number": f"LZ{i:08d}", "day": day, "org": {"name": f"第{i % 97}号公司"}, "n": i, "amount_fen": i * 101 + 1}


def test_many_rows_stream_in_constant_memory():
    with tempfile.TemporaryFile() as f:
        tracemalloc.start()
        count = write_workbook(f, _rows(ROWS), COLUMNS, title="大清单", filter_text="状态 有效")
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = f.tell()
        f.seek(0)
        wb = load_workbook(f, read_only=True)
        ws = wb.active
        first = last = None
        seen = 0
        for row in ws.iter_rows(values_only=True):
            seen += 1
            first = first or row
            last = row
        wb.close()
    assert count == ROWS and seen == ROWS + 3  # title, header, rows, totals
    assert first[0] == "大清单（筛选：状态 有效）"
    assert last[0] == f"合计（{ROWS} 条）"
    assert Decimal(str(last[4])) == Decimal(sum(i * 101 + 1 for i in range(ROWS))).scaleb(-2)
    # the same rows in a normal (not write-only) workbook take ~40 MB; write-only keeps about one row
    print(f"peak {peak / 1e6:.2f} MB, file {size / 1e6:.2f} MB")
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.1f} MB file"


def test_amounts_are_exact_yuan_and_sheets_keep_their_names():
    data = sheets_bytes([
        Sheet("报告", "季度报告", summary=[("一、概况", ""), ("发放额", "¥1.00")], filter_text=None),
        Sheet("台账", "台账", [{"n": "A", "a_fen": 10}, {"n": "B", "a_fen": 20}], [Column("编号", "n"), Column("金额", "a_fen")]),
    ])
    import io

    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["报告", "台账"]
    assert wb["报告"]["A1"].value == "季度报告" and wb["报告"]["A2"].font.b
    rows = list(wb["台账"].iter_rows(values_only=True))
    assert rows[2] == ("A", 0.1) and rows[-1] == ("合计（2 条）", 0.3)
    assert wb["台账"]["B3"].number_format == "#,##0.00"
