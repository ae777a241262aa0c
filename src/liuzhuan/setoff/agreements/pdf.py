"""The agreement as a Chinese A4 PDF: parties, the loop leg by leg, obligations and amounts set off."""

from __future__ import annotations

import io

from django.utils.timezone import localtime
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from liuzhuan.core.money import capital, format_yuan

FONT = "STSong-Light"  # reportlab's built-in Adobe-GB1 CID font: nothing to ship or download
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=1, spaceAfter=6)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12)


def render_agreement(a, parties, legs) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=f"债权债务抵销协议 {a.number}", author="流转平台")
    total = sum(leg["amount_fen"] for leg in legs)  # every leg's debt falls by the amount
    amount = f"{format_yuan(a.amount_fen)}（{capital(a.amount_fen)}）"
    if a.kind == "chain":
        title = "债务链清偿协议"
        terms = (f"经链上 {a.parties_count} 方确认：{legs[0]['debtor'].name} 以现金 {amount} 清偿其对 "
                 f"{legs[0]['creditor'].name} 的债务；每一环收到的现金随即用于清偿其对下一环的债务，最后由 "
                 f"{legs[-1]['creditor'].name} 收取。链上每笔债务各减少 {format_yuan(a.amount_fen)}，合计清偿债务 "
                 f"{format_yuan(total)}。付款方少付、收款方少收，中间各方应收与应付等额减少；现金在平台外支付。")
    else:
        title = "债权债务闭环抵销协议"
        terms = (f"下列 {a.parties_count} 方之间的债务形成闭环。经各方确认，每一方对下一方的债务等额抵销 {amount}，"
                 f"合计抵销债务 {format_yuan(total)}。抵销后各方的应收与应付等额减少，净头寸不变；未抵销部分仍按原约定履行。")
    story = [
        Paragraph(title, TITLE),
        Paragraph(f"协议编号：{a.number}　　测算批次：{a.run.number}　　确认截止日：{a.deadline:%Y年%m月%d日}", BODY),
        Paragraph(f"状态：{a.get_status_display()}　　类型：{a.kind_label}", BODY),
        Spacer(1, 4 * mm),
        Paragraph(terms, BODY),
        Spacer(1, 4 * mm),
    ]
    rows = [[Paragraph(h, CELL) for h in ("环节", "债务人", "债权人", "债务登记编号 / 依据", "本次抵销金额")]]
    for i, leg in enumerate(legs, start=1):
        detail = "<br/>".join(f"{p.label_number} / {p.label_basis}：{format_yuan(p.amount_fen)}"
                              for p in leg["parts"])
        rows.append([Paragraph(str(i), CELL), Paragraph(leg["debtor"].name, CELL), Paragraph(leg["creditor"].name, CELL),
                     Paragraph(detail, CELL), Paragraph(format_yuan(leg["amount_fen"]), CELL)])
    table = Table(rows, colWidths=[12 * mm, 38 * mm, 38 * mm, 58 * mm, 28 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 6 * mm), Paragraph("各方确认情况：", BODY)]
    sign = [[Paragraph(h, CELL) for h in ("参与方", "统一社会信用代码", "确认情况", "时间")]]
    for p in parties:
        sign.append([Paragraph(p.organisation.name, CELL), Paragraph(p.organisation.legal_id, CELL),
                     Paragraph(p.get_decision_display() + (f"（{p.reason}）" if p.reason else ""), CELL),
                     Paragraph(f"{localtime(p.decided_at):%Y-%m-%d %H:%M}" if p.decided_at else "—", CELL)])
    st = Table(sign, colWidths=[52 * mm, 44 * mm, 42 * mm, 36 * mm], repeatRows=1)
    st.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5"))]))
    story += [st, Spacer(1, 4 * mm),
              Paragraph("本协议由各方在流转平台在线确认，确认记录及审计日志为本协议的组成部分。", BODY)]
    doc.build(story)
    return buf.getvalue()
