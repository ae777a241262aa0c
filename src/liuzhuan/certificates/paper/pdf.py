"""Paper copy (纸质凭证) of a piece: A4 PDF in Chinese with a QR code to the public verify page.
The QR code's address carries the piece's verification code, which is also printed beside it.

Chinese text uses reportlab's built-in Adobe-GB1 CID font (STSong-Light): nothing to download or
ship, and every PDF reader renders it with its own CJK font.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from liuzhuan.core.dates import today_china
from liuzhuan.core.money import capital, format_yuan

from ..ledger.queries import chain_of_title
from ..purchase.queries import commitment_text
from .queries import content_hash, format_code

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def applicant_statements(app) -> list[tuple[str, str]]:
    """The applicants' own words on guarantees and purchase arrangements: printed as their statement,
    never as a verified measure (a row only when they wrote something)."""
    parts = [f"{label}：{text}" for label, text in (("保障措施", app.guarantee_text), ("收购安排", app.purchase_commitment_ref)) if text]
    return [("申请人陈述", "（申请人自述，运营机构未核实，不构成收购承诺或担保）" + "；".join(parts))] if parts else []


LABEL = ParagraphStyle("label", fontName=FONT, fontSize=10.5, leading=14.5, textColor=colors.HexColor("#555555"), wordWrap="CJK")
VALUE = ParagraphStyle("value", fontName=FONT, fontSize=10.5, leading=14.5, wordWrap="CJK")
CHAIN = ParagraphStyle("chain", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
HEAD = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
LABEL_W = 32 * mm
PAD = 3  # points of cell padding on each side
RED = colors.HexColor("#a61b1b")


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def field_rows(rows: list[tuple[str, str]], value_w: float, max_h: float) -> list[list]:
    """Table rows of label and value; a value taller than ``max_h`` (a 2,000-character guarantee) is
    cut into several rows, "（续）" after the label, so the table breaks between rows across pages."""
    out = []
    for label, value in rows:
        part, first = _para(value, VALUE), True
        while True:
            _, h = part.wrap(value_w, max_h)
            pieces = part.split(value_w, max_h) if h > max_h else []
            if len(pieces) < 2:
                out.append([_para(label if first else f"{label}（续）", LABEL), part])
                break
            out.append([_para(label if first else f"{label}（续）", LABEL), pieces[0]])
            part, first = pieces[1], False
    return out


def render_piece_pdf(piece, *, reprint_no: int, verify_url: str) -> bytes:
    """An A4 paper copy: the field table and the chain of title flow over as many pages as they need;
    every page carries the border, the title, the numbers, the verification code and the QR code."""
    cert = piece.certificate
    app = cert.application
    buf = io.BytesIO()
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    digest = content_hash(piece)

    qr = QrCodeWidget(verify_url)
    bounds = qr.getBounds()
    qr_size = 34 * mm
    qr_drawing = Drawing(qr_size, qr_size, transform=[qr_size / (bounds[2] - bounds[0]), 0, 0, qr_size / (bounds[3] - bounds[1]), 0, 0])
    qr_drawing.add(qr)

    def page(c, doc):
        c.saveState()
        c.setStrokeColor(RED)
        c.setLineWidth(2)
        c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
        c.setFillColor(RED)
        c.setFont(FONT, 20)
        c.drawCentredString(width / 2, height - 32 * mm, "应收账款债权凭证（合同）")
        c.setFont(FONT, 10)
        c.setFillColor(colors.black)
        c.drawCentredString(width / 2, height - 39 * mm, "电子凭证的纸质副本，与电子记录一致；不计利息，以非货币资产清偿")
        c.setFont(FONT, 10.5)
        c.drawString(left, height - 52 * mm, f"凭证编号：{cert.number}")
        c.drawRightString(right, height - 52 * mm, f"分段编号：{piece.number}")
        c.drawString(left, height - 58 * mm, f"打印序号：第 {reprint_no} 次打印　　第 {doc.page} 页")
        c.drawRightString(right, height - 58 * mm, f"状态：{piece.get_status_display()}")
        if cert.legacy:  # 存量业务 (seed 六（三）): flagged on every page of the paper copy too
            c.setFillColor(RED)
            c.setFont(FONT, 9.5)
            c.drawString(left, height - 63.5 * mm,
                         f"【存量】方案发布前开展的业务（原编号 {cert.legacy_original_no}），不得新增，只能处置至完结")
            c.setFillColor(colors.black)
        renderPDF.draw(qr_drawing, c, right - qr_size, 22 * mm)
        c.setFont(FONT, 8.5)
        c.drawString(left, 49.5 * mm, f"核验码：{format_code(piece.verify_code)}（凭此码在线核验，请与纸质凭证一同妥善保管）")
        c.drawString(left, 44 * mm, "扫描二维码或访问下列地址核验本凭证的实时状态：")
        c.drawString(left, 39 * mm, verify_url)
        c.drawString(left, 33 * mm, f"内容摘要（SHA-256）：{digest[:32]}")
        c.drawString(left, 28.5 * mm, f"　　　　　　　　　　 {digest[32:]}")
        c.drawString(left, 22 * mm, "本凭证非有价证券，其流转实质为所记载债权的依法依约转让、质押等。")
        c.restoreState()

    frame_bottom, frame_top = 58 * mm, height - (69 if cert.legacy else 64) * mm
    doc = BaseDocTemplate(buf, pagesize=A4, title=f"应收账款债权凭证 {piece.number}", author=cert.operator.name)
    doc.addPageTemplates([PageTemplate("paper", [Frame(left, frame_bottom, right - left, frame_top - frame_bottom,
                                                         leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)], onPage=page)])

    rows = [
        ("债权人", cert.creditor.name),
        ("债务人", cert.debtor.name),
        ("债权依据", f"{app.contract_title}（合同编号 {app.contract_no}，签订于 {app.contract_date:%Y年%m月%d日}）"),
        ("凭证面额", f"{format_yuan(cert.face_fen)}　（大写）{capital(cert.face_fen)}"),
        ("本分段金额", f"{format_yuan(piece.amount_fen)}　（大写）{capital(piece.amount_fen)}"),
        ("当前持有人", piece.holder.name),
        ("清偿期限", f"{piece.maturity:%Y年%m月%d日}"),
        ("清偿方式", f"{app.settlement_label}" + (f"（可抵付范围：{app.offset_scope_label}）" if app.offset_scope else "")),
        ("展期条款", app.extension_label),
        # only what the operator holds on record: commitments their provider accepted, in force today
        ("第三方收购承诺", commitment_text(cert, today_china()) or "无（本平台未登记有效的第三方收购承诺）"),
        *applicant_statements(app),
        ("利息", "不计利息"),
        ("开具日期", f"{cert.issue_date:%Y年%m月%d日}"),
        ("开具机构", cert.operator.name),
    ]
    value_w = right - left - LABEL_W - 2 * PAD
    table = Table(field_rows(rows, value_w, (frame_top - frame_bottom) / 2), colWidths=[LABEL_W, right - left - LABEL_W])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#cccccc")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    story = [table, Spacer(1, 4 * mm), Paragraph("流转记录（权属链）", HEAD)]
    for step in chain_of_title(piece):
        text = f"{step.date}　{step.label}　{step.piece.number}　{format_yuan(step.amount_fen)}　持有人：{step.holder}"
        if step.kind == "transfer":
            text += f"　转让方：{step.counterparty}　登记号：{step.registration_no}"
        story.append(_para(text, CHAIN))
    doc.build(story)
    return buf.getvalue()
