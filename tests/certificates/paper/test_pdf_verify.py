from django.test import Client

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.paper.queries import content_hash
from liuzhuan.core.models import AuditEvent


def test_holder_downloads_pdf_with_reprint_numbers(world, issued, api):
    _, piece = issued
    c = api(world.alice)
    r1 = c.post(f"/certificates/pieces/{piece.pk}/pdf")
    assert r1.status_code == 200 and r1.content.startswith(b"%PDF") and r1["Content-Type"] == "application/pdf"
    c.post(f"/certificates/pieces/{piece.pk}/pdf")
    piece.refresh_from_db()
    assert piece.prints == 2
    assert list(AuditEvent.objects.filter(action="piece.print").values_list("summary__reprint_no", flat=True)) == [1, 2]


def test_pdf_rejects_other_org(world, issued, api, client):
    _, piece = issued
    assert api(world.outsider).post(f"/certificates/pieces/{piece.pk}/pdf").status_code == 404
    assert api(world.bob).post(f"/certificates/pieces/{piece.pk}/pdf").status_code == 403  # debtor sees, does not print
    client.force_login(world.outsider)
    assert client.post(f"/certificates/pieces/{piece.pk}/pdf/").status_code == 404
    client.force_login(world.alice)
    assert client.get(f"/certificates/pieces/{piece.pk}/pdf/").status_code == 405  # printing is never a plain GET
    r = client.post(f"/certificates/pieces/{piece.pk}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_pdf_text_is_chinese_and_consistent(world, issued):
    import pypdf

    from liuzhuan.certificates.paper.pdf import render_piece_pdf

    _, piece = issued
    pdf = render_piece_pdf(piece, reprint_no=1, verify_url="http://x/verify/" + piece.number)
    import io

    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "壹佰万元整" in text and piece.number in text


def test_public_verify_page(world, issued):
    _, piece = issued
    r = Client().get(f"/verify/{piece.number}")
    html = r.content.decode()
    assert r.status_code == 200 and "持有中" in html and content_hash(piece) in html
    assert world.alice_org.legal_id not in html  # nothing beyond what the paper copy prints


def test_verify_unknown_and_bad_check_character(world, issued):
    _, piece = issued
    wrong = piece.number[:-5] + ("A" if piece.number[-5] != "A" else "B") + piece.number[-4:]
    r = Client().get(f"/verify/{wrong}")
    assert r.status_code == 404 and "校验位不正确" in r.content.decode()
    r = Client().get(f"/verify/{piece.number[:-1]}9")
    assert r.status_code == 404


def test_hash_changes_when_holder_changes(world, issued):
    _, piece = issued
    before = content_hash(piece)
    offer = circulation.accept_offer(world.carol, circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "X").pk)
    assert content_hash(offer.new_piece) != before


def _pdf_text(piece) -> str:
    """The PDF's text as pypdf reads it, without the whitespace its line layout adds."""
    import io

    import pypdf

    from liuzhuan.certificates.paper.pdf import render_piece_pdf

    pdf = render_piece_pdf(piece, reprint_no=1, verify_url="http://x/verify/" + piece.number)
    return "".join("".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


def test_pdf_shows_what_the_policy_requires(world):
    """「该凭证摘要记载债权人和债务人名称、债权依据、债权数额、清偿期限及方式」and「不计利息」."""
    from liuzhuan.core.money import capital, format_yuan

    from ..conftest import issue

    cert, piece = issue(world, amount_fen=1_234_567_89, offset_scope=("house", "parking", "consumption"))
    text = _pdf_text(piece)
    app = cert.application
    for required in (cert.number, piece.number, world.alice_org.name, world.bob_org.name, app.contract_no, app.contract_title,
                     format_yuan(cert.face_fen), capital(cert.face_fen), f"{cert.maturity_date:%Y年%m月%d日}",
                     f"清偿方式资产抵付、消费抵付（可抵付范围：{app.offset_scope_label}）", "商品房", "车位",
                     "利息不计利息", "以非货币资产清偿"):
        assert required in text, required
    assert capital(cert.face_fen) == "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"


def test_pdf_prints_only_commitments_in_force_and_labels_the_applicants_words(world):
    """An applicant's free text is not a purchase commitment; a declined or expired commitment is not
    printed as one; an accepted one in force is printed with its status (issue 19 item 7)."""
    from liuzhuan.certificates.purchase import actions as purchase
    from liuzhuan.certificates.purchase.models import PurchaseCommitment

    from ..conftest import issue
    from ..helpers import commitment, days, purchaser

    cert, piece = issue(world, purchase_commitment_ref="兴投收购公司承诺按面额九五折收购")
    _, provider = purchaser(world)
    declined = commitment(world, cert, provider, accept=False)
    purchase.close_commitment(provider, declined.pk, "不接受委托")
    expired = commitment(world, cert, provider)
    PurchaseCommitment.objects.filter(pk=expired.pk).update(lockup_end=days(-30), expiry=days(-1))  # past its term, job not yet run
    text = _pdf_text(piece)
    assert "第三方收购承诺无（本平台未登记有效的第三方收购承诺）" in text
    assert declined.number not in text and expired.number not in text
    assert "申请人陈述（申请人自述，运营机构未核实，不构成收购承诺或担保）收购安排：兴投收购公司承诺按面额九五折收购" in text
    purchase.expire_commitments(days(0))  # the daily job marks it expired: still not printed
    assert expired.number not in _pdf_text(piece)

    active = commitment(world, cert, provider, conditions="锁定期满后九五折")
    text = _pdf_text(piece)
    assert f"{active.number}：兴投收购公司承诺收购（状态：有效，服务方已接受）" in text
    assert declined.number not in text and expired.number not in text


def test_certificate_page_labels_the_applicants_purchase_text(world, client):
    from ..conftest import issue

    cert, _ = issue(world, purchase_commitment_ref="某公司口头承诺收购")
    client.force_login(world.alice)
    html = client.get(f"/certificates/c/{cert.pk}/").content.decode()
    assert "申请人自述（未经核实，不构成收购承诺）：某公司口头承诺收购" in html
