"""The receipt (收据 / 消费结算单) as a Chinese A4 PDF, drawn from the settlement record: the same
bytes serve as the settlement slip kept as evidence of a consumption offset."""

from __future__ import annotations

import io

from django.utils.timezone import localtime
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from liuzhuan.core.money import capital, format_yuan

FONT = "STSong-Light"  # reportlab's built-in Adobe-GB1 CID font, as the certificate and agreement PDFs use
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("receipt-title", fontName=FONT, fontSize=15, leading=22, alignment=1, spaceAfter=4)
BODY = ParagraphStyle("receipt-body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
CELL = ParagraphStyle("receipt-cell", fontName=FONT, fontSize=8.5, leading=11, wordWrap="CJK")


def render_receipt(order, lines, settlement) -> bytes:
    """``settlement`` may be unsaved (the slip rendered inside the settling transaction)."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A5, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"特约商户收据 {settlement.number}", author="流转平台")
    how = ("以凭证记载债权转让给商户支付（流转变更登记）" if order.mode == "transfer"
           else "以凭证记载债权向债务人消费抵付（由债权管理服务机构注销登记）")
    story = [
        Paragraph("特约商户收据（消费结算单）", TITLE),
        Paragraph(f"结算单号：{settlement.number}　　订单编号：{order.number}", BODY),
        Paragraph(f"商户：{order.merchant.shop_name}（{order.merchant.organisation.name}）", BODY),
        Paragraph(f"买方：{order.buyer.name}", BODY),
        Paragraph(f"支付方式：{order.get_mode_display()}，{how}", BODY),
        Paragraph(f"凭证分段：{order.piece.number}　　{registration_line(order, settlement)}", BODY),
        Paragraph(f"结算时间：{localtime(settlement.settled_at):%Y-%m-%d %H:%M}", BODY),
        Spacer(1, 3 * mm),
    ]
    rows = [[Paragraph(h, CELL) for h in ("名称", "单价", "数量", "金额")]]
    rows += [[Paragraph(x.name, CELL), Paragraph(format_yuan(x.unit_price_fen), CELL), Paragraph(str(x.quantity), CELL),
              Paragraph(format_yuan(x.amount_fen), CELL)] for x in lines]
    rows.append([Paragraph("合计", CELL), "", "", Paragraph(format_yuan(order.total_fen), CELL)])
    table = Table(rows, colWidths=[58 * mm, 26 * mm, 16 * mm, 24 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 3 * mm), Paragraph(f"金额大写：{capital(order.total_fen)}", BODY), Spacer(1, 2 * mm),
              Paragraph("凭证记载的债权以非货币方式清偿，不涉及现金兑付；本收据由流转平台生成，结算及凭证登记记录以平台审计日志为准。", CELL)]
    doc.build(story)
    return buf.getvalue()


def registration_line(order, settlement) -> str:
    """What the register recorded for this payment: the transfer's 流转变更登记 number, or the
    consumption offset's number and — once the operator registered it — its 注销登记 number."""
    if order.mode == "transfer":
        return f"凭证登记编号：{settlement.registration_no}（流转变更登记）" if settlement.registration_no else ""
    off = order.offset
    return f"消费抵付编号：{off.number}（" + (f"注销登记编号 {off.cancellation_no}" if off.cancellation_no else "待运营机构注销登记") + "）"
