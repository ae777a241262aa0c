"""A 2,000-character guarantee: the paper certificate carries all of it, on the page, over as many
pages as it needs; the web form and the API refuse one character more."""

import io

import pypdf
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from liuzhuan.certificates.issuance.models import Application
from liuzhuan.certificates.issuance.rules import GUARANTEE_MAX_CHARS
from liuzhuan.certificates.paper.pdf import render_piece_pdf

from ..conftest import issue


def _guarantee(n: int) -> str:
    """Text with no repeats a fragment could hide in: numbered clauses, cut to ``n`` characters."""
    text, i = "", 0
    while len(text) < n:
        i += 1
        text += f"第{i}项以临河区存量商品房及车位作保障，"
    return text[:n]


def test_a_2000_character_guarantee_is_printed_in_full_and_on_the_page(world):
    guarantee = _guarantee(GUARANTEE_MAX_CHARS)
    cert, piece = issue(world, guarantee_text=guarantee)
    pdf = pypdf.PdfReader(io.BytesIO(render_piece_pdf(piece, reprint_no=1, verify_url="http://x/verify/" + piece.number)))
    assert len(pdf.pages) >= 2  # it does not fit on one sheet: the table goes on, it does not run off

    width, height = A4
    outside, body = [], []

    def visit(text, cm, tm, font_dict, font_size):
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if text.strip() and not (12 * mm <= x <= width - 12 * mm and 12 * mm <= y <= height - 12 * mm):
            outside.append((round(x), round(y), text))
        if 55 * mm < y < height - 62 * mm:  # the body between each page's header and its verification footer
            body.append(text)

    pages = [p.extract_text(visitor_text=visit) for p in pdf.pages]
    assert not outside, outside[:5]
    text = "".join("".join(body).split()).replace("申请人陈述（续）", "")
    assert "保障措施：" + guarantee in text
    for later in ("利息不计利息", "开具机构", cert.operator.name, "流转记录（权属链）"):
        assert later in text  # the rows after the long one are printed too
    for p in pages:  # every sheet says which certificate it belongs to and how to verify it
        flat = "".join(p.split())
        assert piece.number in flat and "核验码" in flat


def test_the_form_and_the_api_cap_the_guarantee(world, client, api):
    client.force_login(world.alice)
    form = {"role": "creditor", "counterparty": world.bob_org.pk, "contract_no": "X", "contract_title": "T",
            "contract_date": "2026-01-01", "amount": "1,000.00", "maturity_date": "2030-01-01", "offset_scope": ["house"],
            "non_cash_declared": "on", "guarantee_text": _guarantee(GUARANTEE_MAX_CHARS + 1)}
    r = client.post("/certificates/apply/", form)
    assert r.status_code == 200 and "2000" in r.content.decode() and not Application.objects.exists()
    payload = {"counterparty_id": world.bob_org.pk, "role": "creditor", "contract_no": "A1", "contract_title": "合同",
               "contract_date": "2026-01-05", "amount_fen": 123456, "maturity_date": "2030-01-01", "offset_scope": ["house"],
               "non_cash_declared": True, "guarantee_text": _guarantee(GUARANTEE_MAX_CHARS + 1)}
    bad = api(world.alice).post("/certificates/applications", payload)
    assert bad.status_code == 422 and bad.json()["field"] == "guarantee_text" and not Application.objects.exists()
    ok = api(world.alice).post("/certificates/applications", {**payload, "guarantee_text": _guarantee(GUARANTEE_MAX_CHARS)})
    assert ok.status_code == 201, ok.content
