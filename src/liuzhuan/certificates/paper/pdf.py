"""Paper copy (纸质凭证) of a piece: A4 PDF in Chinese with a QR code to the public verify page.
The QR code's address carries the piece's verification code, which is also printed beside it.

Chinese text uses reportlab's built-in Adobe-GB1 CID font (STSong-Light): nothing to download or
ship, and every PDF reader renders it with its own CJK font.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from liuzhuan.core.dates import today_china
from liuzhuan.core.money import capital, format_yuan

from ..ledger.queries import chain_of_title
from ..purchase.queries import commitment_text
from .queries import content_hash, format_code

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _wrap(text: str, width_pt: float, size: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width_pt:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines or [""]


def applicant_statements(app) -> list[tuple[str, str]]:
    """The applicants' own words on guarantees and purchase arrangements: printed as their statement,
    never as a verified measure (a row only when they wrote something)."""
    parts = [f"{label}：{text}" for label, text in (("保障措施", app.guarantee_text), ("收购安排", app.purchase_commitment_ref)) if text]
    return [("申请人陈述", "（申请人自述，运营机构未核实，不构成收购承诺或担保）" + "；".join(parts))] if parts else []


def render_piece_pdf(piece, *, reprint_no: int, verify_url: str) -> bytes:
    cert = piece.certificate
    app = cert.application
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"应收账款债权凭证 {piece.number}")
    c.setAuthor(cert.operator.name)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm

    c.setStrokeColor(colors.HexColor("#a61b1b"))
    c.setLineWidth(2)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setFillColor(colors.HexColor("#a61b1b"))
    c.setFont(FONT, 20)
    c.drawCentredString(width / 2, height - 32 * mm, "应收账款债权凭证（合同）")
    c.setFont(FONT, 10)
    c.setFillColor(colors.black)
    c.drawCentredString(width / 2, height - 39 * mm, "电子凭证的纸质副本，与电子记录一致；不计利息，以非货币资产清偿")

    y = height - 52 * mm
    c.setFont(FONT, 10.5)
    c.drawString(left, y, f"凭证编号：{cert.number}")
    c.drawRightString(right, y, f"分段编号：{piece.number}")
    y -= 6 * mm
    c.drawString(left, y, f"打印序号：第 {reprint_no} 次打印")
    c.drawRightString(right, y, f"状态：{piece.get_status_display()}")
    if cert.legacy:  # 存量业务 (seed 六（三）): flagged on the paper copy too
        y -= 6 * mm
        c.setFillColor(colors.HexColor("#a61b1b"))
        c.drawString(left, y, f"【存量】方案发布前开展的业务（原编号 {cert.legacy_original_no}），不得新增，只能处置至完结")
        c.setFillColor(colors.black)

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
    y -= 10 * mm
    label_w = 32 * mm
    for label, value in rows:
        lines = _wrap(value, right - left - label_w - 4 * mm, 10.5)
        row_h = 6.2 * mm * len(lines) + 1.5 * mm
        c.setStrokeColor(colors.HexColor("#cccccc"))
        c.setLineWidth(0.5)
        c.rect(left, y - row_h + 4.5 * mm, right - left, row_h, stroke=1, fill=0)
        c.setFont(FONT, 10.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(left + 2 * mm, y, label)
        c.setFillColor(colors.black)
        for i, line in enumerate(lines):
            c.drawString(left + label_w, y - i * 6.2 * mm, line)
        y -= row_h

    y -= 6 * mm
    c.setFont(FONT, 12)
    c.drawString(left, y, "流转记录（权属链）")
    y -= 7 * mm
    c.setFont(FONT, 9.5)
    for step in chain_of_title(piece):
        text = f"{step.date}　{step.label}　{step.piece.number}　{format_yuan(step.amount_fen)}　持有人：{step.holder}"
        if step.kind == "transfer":
            text += f"　转让方：{step.counterparty}　登记号：{step.registration_no}"
        for line in _wrap(text, right - left - 50 * mm, 9.5):
            c.drawString(left, y, line)
            y -= 5.2 * mm
        if y < 60 * mm:
            c.drawString(left, y, "……（更多记录请扫码查看）")
            break

    qr = QrCodeWidget(verify_url)
    bounds = qr.getBounds()
    size = 34 * mm
    d = Drawing(size, size, transform=[size / (bounds[2] - bounds[0]), 0, 0, size / (bounds[3] - bounds[1]), 0, 0])
    d.add(qr)
    renderPDF.draw(d, c, right - size, 22 * mm)
    c.setFont(FONT, 8.5)
    c.drawString(left, 49.5 * mm, f"核验码：{format_code(piece.verify_code)}（凭此码在线核验，请与纸质凭证一同妥善保管）")
    c.drawString(left, 44 * mm, "扫描二维码或访问下列地址核验本凭证的实时状态：")
    c.drawString(left, 39 * mm, verify_url)
    digest = content_hash(piece)
    c.drawString(left, 33 * mm, f"内容摘要（SHA-256）：{digest[:32]}")
    c.drawString(left, 28.5 * mm, f"　　　　　　　　　　 {digest[32:]}")
    c.drawString(left, 22 * mm, "本凭证非有价证券，其流转实质为所记载债权的依法依约转让、质押等。")
    c.showPage()
    c.save()
    return buf.getvalue()
