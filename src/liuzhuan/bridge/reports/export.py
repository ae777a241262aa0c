"""The quarterly report and the ledger as the page, Excel (openpyxl) and PDF (reportlab, CID font
STSong-Light) show them: the same rows for all three, and the download response."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote

from django.http import HttpResponse

from liuzhuan.core.money import format_yuan
from liuzhuan.core.xlsx import Column, Sheet, sheets_bytes

from .queries import ledger_queryset, ledger_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _turn(value) -> str:
    return "—" if value is None else f"{value} 次"


def summary_rows(fig: dict) -> list[tuple[str, str]]:
    """(label, value) pairs in the order the report shows them."""
    q, y, i = fig["quarter"], fig["year_to_date"], fig["inception"]
    risk, inc_q, inc_y = fig["risk"], fig["income"]["quarter"], fig["income"]["year_to_date"]
    t = fig["target"]
    return [
        ("报告期", f"{fig['period']['start']} 至 {fig['period']['end']}"),
        ("数据生成日", fig["generated_on"]),
        ("资金名称", fig["fund"]["name"]),
        ("管理机构", fig["fund"]["manager"]),
        ("期末本金总额", format_yuan(fig["fund"]["principal_end_fen"])),
        ("一、使用管理情况", ""),
        ("业务状态", fig["fund"]["status_label"]),
        ("计息基准", f"{fig['fund']['day_basis']} 天"),
        ("二、工作成效", ""),
        ("本季度扶持企业户数", f"{q['enterprises']} 户"),
        ("本季度发放笔数", f"{q['loans']} 笔"),
        ("本季度续贷累计发生额", format_yuan(q["volume_fen"])),
        ("本年扶持企业户数", f"{y['enterprises']} 户"),
        ("本年发放笔数", f"{y['loans']} 笔"),
        ("本年续贷累计发生额", format_yuan(y["volume_fen"])),
        ("设立以来扶持企业户数", f"{i['enterprises']} 户"),
        ("设立以来发放笔数", f"{i['loans']} 笔"),
        ("设立以来续贷累计发生额", format_yuan(i["volume_fen"])),
        ("本季度资金周转率（按期末本金）", _turn(q["turnover"])),
        ("本季度资金周转率（按日加权平均本金）", _turn(q["turnover_weighted"])),
        ("本年资金周转率（按期末本金）", _turn(y["turnover"])),
        ("本年资金周转率（按日加权平均本金）", _turn(y["turnover_weighted"])),
        ("设立以来周转次数（按期末本金）", _turn(i["turnover"])),
        ("年度周转率考核目标", _turn(t["annual_turnover_target"])),
        ("年度目标完成进度（加权口径）", t["completion"] or "—"),
        # balances, exposure and counts as they stood at quarter end (第二十四条); the "本季度"
        # counts are for the whole quarter (docs/guide/bridge.md)
        ("三、风险状况", f"截至季度末 {fig['period']['end']}"),
        ("在贷余额", format_yuan(risk["outstanding_fen"])),
        ("风险本金（逾期及追缴中）", format_yuan(risk["at_risk_fen"])),
        ("风险敞口（占本金总额）", risk["exposure"]),
        ("逾期笔数", f"{risk['overdue_loans']} 笔"),
        ("追缴中笔数", f"{risk['recovery_loans']} 笔"),
        ("未结追偿案件", f"{risk['open_cases']} 件"),
        ("本季度骗取认定", f"{risk['fraud_findings_in_quarter']} 件"),
        ("本季度业务暂停次数", f"{risk['suspensions_in_quarter']} 次"),
        ("风险预警线", f"{risk['warn_percent']}%（季度末" + ("已达到预警线" if risk.get("at_warning_end") else "未达到预警线") + "）"),
        ("本季度风险预警次数", f"{risk['warnings_in_quarter']} 次"),
        ("四、收入及上缴情况", ""),
        ("本季度占用费收入", format_yuan(inc_q["fee_fen"])),
        ("本季度违约金收入", format_yuan(inc_q["penalty_fen"])),
        ("本季度存款利息", format_yuan(inc_q["interest_fen"])),
        ("本季度上缴市财政", format_yuan(inc_q["remitted_fen"])),
        ("本年占用费收入", format_yuan(inc_y["fee_fen"])),
        ("本年违约金收入", format_yuan(inc_y["penalty_fen"])),
        ("本年存款利息", format_yuan(inc_y["interest_fen"])),
        ("本年上缴市财政", format_yuan(inc_y["remitted_fen"])),
        ("期末已收未缴", format_yuan(fig["unremitted_end_fen"])),
    ]


LEDGER_HEADERS = [
    ("number", "业务编号"),
    ("applicant", "借款企业"),
    ("bank", "贷款银行"),
    ("mode", "模式"),
    ("original_contract_no", "原贷款合同"),
    ("renewal_approval_no", "续贷批复文号"),
    ("amount_fen", "过桥金额"),
    ("disbursed_on", "提款日"),
    ("due_date", "约定还款日"),
    ("closed_on", "结清日"),
    ("days_used", "使用天数"),
    ("daily_rate", "日利率"),
    ("planned_fee_fen", "约定占用费"),
    ("principal_repaid_fen", "已还本金"),
    ("fee_paid_fen", "已收占用费"),
    ("penalty_paid_fen", "已收违约金"),
    ("renewed_on", "续贷发放日"),
    ("status_label", "状态"),
]
MONEY_KEYS = {"amount_fen", "planned_fee_fen", "principal_repaid_fen", "fee_paid_fen", "penalty_paid_fen"}


def _pdf_cell(key: str, value) -> str:
    if key in MONEY_KEYS:
        return format_yuan(int(value or 0), symbol=False)
    return "" if value is None else str(value)


def _ledger_columns() -> list[Column]:
    wide = {"applicant": 30, "bank": 30}
    return [Column(label, key, money=key in MONEY_KEYS, width=wide.get(key, 16)) for key, label in LEDGER_HEADERS]


def xlsx_bytes(title: str, summary: list[tuple[str, str]], ledger, narrative: str = "", *,
               period: str = "") -> bytes:
    """The report (summary lines, narrative) and its ledger (amounts in yuan, a totals row) on the one
    generic export path, ``core.xlsx``."""
    lines = list(summary)
    if narrative:
        lines += [("", ""), ("使用管理情况及其他需要报告的情况", narrative)]
    return sheets_bytes([
        Sheet("报告", title, summary=lines, filter_text=None),
        Sheet("台账", f"{title} 业务台账（金额单位：元）", ledger, _ledger_columns(), filter_text=period or None),
    ])


_FONT = "STSong-Light"
#: ledger column widths in mm (landscape A4 minus margins = 269 mm)
_LEDGER_MM = [18, 26, 26, 8, 16, 16, 19, 13, 13, 13, 7, 15, 14, 19, 14, 12, 13, 7]
_PER_10K_RE = re.compile(r"([\d.]+)‱")


def _pdf_text(value) -> str:
    """Escape for reportlab and spell ‱ out (the CID font has no glyph for it): 3.3‱ → 万分之3.3."""
    from xml.sax.saxutils import escape

    return escape(_PER_10K_RE.sub(r"万分之\1", str(value)))


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def pdf_bytes(title: str, summary: list[tuple[str, str]], ledger: list[dict], narrative: str = "", footer: str = "") -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    h = ParagraphStyle("h", fontName=_FONT, fontSize=15, leading=20, spaceAfter=8)
    p = ParagraphStyle("p", fontName=_FONT, fontSize=9.5, leading=14)
    small = ParagraphStyle("s", fontName=_FONT, fontSize=6.6, leading=8.5)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=title, author="流转平台")
    story = [Paragraph(escape(title), h)]
    rows = [[Paragraph(_pdf_text(label), p), Paragraph(_pdf_text(value), p)] for label, value in summary]
    t = Table(rows, colWidths=[90 * mm, 150 * mm], hAlign="LEFT")
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for idx, (_, value) in enumerate(summary):
        if not value:
            style.append(("BACKGROUND", (0, idx), (-1, idx), colors.HexColor("#eef1f5")))
    t.setStyle(TableStyle(style))
    story.append(t)
    if narrative:
        story += [Spacer(1, 6 * mm), Paragraph("使用管理情况及其他需要报告的情况", h)]
        story += [Paragraph(_pdf_text(line) or "&nbsp;", p) for line in narrative.splitlines()]
    story += [PageBreak(), Paragraph("业务台账（金额单位：元）", h)]
    head = [Paragraph(label, small) for _, label in LEDGER_HEADERS]
    body = [[Paragraph(_pdf_text(_pdf_cell(k, row.get(k))), small) for k, _ in LEDGER_HEADERS] for row in ledger]
    if not body:
        body = [[Paragraph("本期无业务", small)] + [""] * (len(LEDGER_HEADERS) - 1)]
    lt = Table([head, *body], repeatRows=1, colWidths=[w * mm for w in _LEDGER_MM], hAlign="LEFT")
    lt.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                            ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
    story.append(lt)
    if footer:
        story += [Spacer(1, 4 * mm), Paragraph(_pdf_text(footer), small)]
    doc.build(story)
    return buf.getvalue()


def report_xlsx(report) -> bytes:
    return xlsx_bytes(report.title, summary_rows(report.figures), report.figures.get("ledger", []), report.narrative)


def report_pdf(report) -> bytes:
    status = "已报送" if report.status == "submitted" else "草稿"
    footer = f"状态：{status}；报送截止日 {report.due_date.isoformat()}" + ("；逾期报送" if report.late else "")
    return pdf_bytes(report.title, summary_rows(report.figures), report.figures.get("ledger", []), report.narrative, footer)


def ledger_xlsx(start: dt.date, end: dt.date) -> bytes:
    """Rows are read and written one at a time (constant memory, however long the period)."""
    qs = ledger_queryset(start, end)
    period = f"{start.isoformat()} 至 {end.isoformat()}"
    title = f"续贷过桥资金业务台账 {period}"
    rows = (ledger_row(a) for a in qs.iterator(chunk_size=1000))
    return xlsx_bytes(title, [("期间", period), ("笔数", f"{qs.count()} 笔")], rows, period=f"提款期间 {period}")
