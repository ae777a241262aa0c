"""The certificate business report (凭证业务报告) as a Chinese A4 PDF with the existing PDF stack
(reportlab, the built-in CID font STSong-Light): the key figures, piece figures, fees, set-off
results and the last twelve months, from the same sections the dashboards show."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from liuzhuan.core.money import format_yuan

FONT = "STSong-Light"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=1, spaceAfter=6)
H2 = ParagraphStyle("h2", fontName=FONT, fontSize=12.5, leading=18, spaceBefore=6, spaceAfter=4)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12)


def _table(head: list[str], rows: list[list], widths: list[float]) -> Table:
    data = [[Paragraph(escape(h), CELL) for h in head]]
    data += [[Paragraph(escape(str(v)), CELL) for v in row] for row in rows]
    t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1, hAlign="LEFT")
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def certificate_report_pdf(f: dict) -> bytes:
    """``f``: ``dashboard.figures(…, sections=("certificates", "fees", "setoff", "trends"))``."""
    certs, today = f["certs"], f["today"]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title="应收账款债权凭证业务报告", author="流转平台")
    story = [Paragraph("应收账款债权凭证业务报告", TITLE),
             Paragraph(f"数据截至 {today:%Y年%m月%d日}（金额单位：元）", BODY), Spacer(1, 4 * mm),
             Paragraph("一、凭证", H2)]
    rows = [["累计开具", certs["issued"], format_yuan(certs["issued_fen"])],
            ["30 天内到期", certs["maturing30"], format_yuan(certs["maturing30_fen"])],
            ["已展期", certs["extended"], format_yuan(certs["extended_fen"])],
            ["已逾期", certs["overdue"], format_yuan(certs["overdue_fen"])],
            ["已结清", certs["settled"], format_yuan(certs["settled_fen"])],
            ["已作废", certs["voided"], format_yuan(certs["voided_fen"])]]
    story.append(_table(["指标", "笔数", "凭证金额"], rows, [70, 30, 60]))
    story.append(Paragraph("二、分段（流转、拆分、质押、抵付、抵销）", H2))
    rows = [[p["label"], p["count"], format_yuan(p["fen"])] for p in f["pieces"]]
    rows.append(["拆分形成的分段", f["split"]["count"], format_yuan(f["split"]["fen"])])
    story.append(_table(["状态", "分段数", "金额"], rows, [70, 30, 60]))
    fees = f["fees"]
    story.append(Paragraph("三、服务费", H2))
    story.append(Paragraph(f"累计应收 {format_yuan(fees['total'])}，已缴 {format_yuan(fees['paid'])}，"
                           f"未缴 {format_yuan(fees['outstanding'])}（其中欠费 {format_yuan(fees['arrears'])}）。", BODY))
    s = f["setoff"]
    story.append(Paragraph("四、债务抵销", H2))
    story.append(Paragraph(f"登记债务 {s['registered']} 笔 {format_yuan(s['registered_fen'])}，已执行协议 {s['executed']} 份，"
                           f"累计抵销 {format_yuan(s['cleared_fen'])}，有争议 {s['disputed']} 笔。", BODY))
    t = f["trends"]
    story.append(Paragraph("五、近 12 个月", H2))
    rows = [[m, format_yuan(i), format_yuan(tr), n]
            for m, i, tr, n in zip(t["months"], t["issuance_fen"], t["transfer_fen"], t["transfer_count"], strict=True)]
    story.append(_table(["月份", "开具金额", "转让金额", "转让笔数"], rows, [30, 50, 50, 30]))
    doc.build(story)
    return buf.getvalue()
