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
