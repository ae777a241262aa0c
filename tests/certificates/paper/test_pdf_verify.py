import importlib
import io
import json

import pypdf
import pytest
from django.core.cache import caches
from django.test import Client

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import VERIFY_CODE_ALPHABET, Piece
from liuzhuan.certificates.paper.queries import content_hash, format_code
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


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


def _verify(piece, code=None, **extra):
    url = f"/verify/{piece.number}" if code is None else f"/verify/{piece.number}?code={code}"
    return Client().get(url, **extra)


def test_pdf_prints_the_code_and_the_qr_carries_it(world, issued, api):
    _, piece = issued
    r = api(world.alice).post(f"/certificates/pieces/{piece.pk}/pdf")
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    piece.refresh_from_db()
    assert len(piece.verify_code) == 10 and set(piece.verify_code) <= set(VERIFY_CODE_ALPHABET)
    assert format_code(piece.verify_code) in text and f"/verify/{piece.number}?code={piece.verify_code}" in text


def test_public_verify_page_with_the_paper_code(world, issued):
    _, piece = issued
    r = _verify(piece, format_code(piece.verify_code).lower())  # as typed: any case, with the dash
    html = r.content.decode()
    assert r.status_code == 200 and "持有中" in html and content_hash(piece) in html
    assert world.alice_org.legal_id not in html  # nothing beyond what the paper copy prints


def test_verify_without_the_code_reveals_nothing(world, issued):
    _, piece = issued
    asked = _verify(piece)  # the number alone (serial, public check character): a form, no lookup
    assert asked.status_code == 200 and "核验码" in asked.content.decode()
    wrong_code = piece.verify_code[:-1] + ("2" if piece.verify_code[-1] != "2" else "3")
    unknown = piece.number[:-1] + ("9" if piece.number[-1] != "9" else "8")
    bad_check = piece.number[:-5] + ("A" if piece.number[-5] != "A" else "B") + piece.number[-4:]
    answers = [_verify(piece, wrong_code), _verify(piece, ""), Client().get(f"/verify/{unknown}?code={piece.verify_code}"),
               Client().get(f"/verify/{bad_check}?code={piece.verify_code}")]
    for r in [asked, *answers]:
        html = r.content.decode()
        for secret in (world.alice_org.name, world.bob_org.name, "持有中", content_hash(piece), "壹佰万"):
            assert secret not in html
    assert {r.status_code for r in answers} == {404}
    bodies = {r.content.decode().split("<main", 1)[-1] for r in answers}
    assert len(bodies) == 1 and "未找到或校验码不符" in bodies.pop()  # unknown number == wrong code


def test_verify_shows_no_downstream_holder(world, issued):
    _, piece = issued
    offer = circulation.accept_offer(world.carol, circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, piece.amount_fen, "X").pk)
    r = _verify(piece, piece.verify_code)
    html = r.content.decode()
    assert r.status_code == 200 and "已转让" in html and world.carol_org.name not in html
    new = offer.new_piece
    assert new.verify_code != piece.verify_code  # the transferee's piece has its own paper code
    assert _verify(new, piece.verify_code).status_code == 404
    assert world.carol_org.name in _verify(new, new.verify_code).content.decode()


def test_verify_is_rate_limited_per_client(world, issued, settings):
    _, piece = issued
    settings.VERIFY_RATE_PER_MINUTE = 3
    for _ in range(3):
        assert _verify(piece, "WRONGCODE1", REMOTE_ADDR="203.0.113.7").status_code == 404
    r = _verify(piece, piece.verify_code, REMOTE_ADDR="203.0.113.7")  # even the right code waits
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode() and int(r["Retry-After"]) >= 1
    assert "持有中" not in r.content.decode()
    assert _verify(piece, piece.verify_code, REMOTE_ADDR="203.0.113.8").status_code == 200
    # behind one trusted proxy the client is the proxy's X-Forwarded-For entry, not what it claims
    settings.TRUSTED_PROXIES = 1
    for claimed in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        r = _verify(piece, piece.verify_code, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"{claimed}, 203.0.113.7")
        assert r.status_code == 429


def test_codes_for_existing_pieces_by_migration(world, issued):
    from django.apps import apps

    _, piece = issued
    circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 100_00, "Y")  # a split: more pieces
    Piece.objects.update(verify_code="")
    migration = importlib.import_module("liuzhuan.certificates.migrations.0015_piece_verify_code")
    migration.forwards(apps, None)
    codes = list(Piece.objects.values_list("verify_code", flat=True))
    assert len(codes) >= 3 and len(set(codes)) == len(codes)
    assert all(len(c) == 10 and set(c) <= set(VERIFY_CODE_ALPHABET) for c in codes)


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

def test_the_code_is_only_on_the_paper(world, issued, api, client):
    """Only a paper copy carries the code: no page or API answer shows it, not even to the holder,
    and the debtor (who may see the piece but not print it) cannot get it."""
    _, piece = issued
    assert "verify_code" not in json.dumps(api(world.alice).get("/openapi.json").json())
    for user in (world.alice, world.bob, world.clerk):
        for url in (f"/certificates/pieces/{piece.pk}", f"/certificates/pieces/{piece.pk}/chain", "/certificates/pieces"):
            assert piece.verify_code not in api(user).get(url).content.decode()
        client.force_login(user)
        shown = 0
        for url in (f"/certificates/pieces/{piece.pk}/", f"/certificates/c/{piece.certificate_id}/", "/certificates/"):
            r = client.get(url)
            shown += r.status_code == 200
            assert piece.verify_code not in r.content.decode()
        assert shown >= 1
    assert api(world.bob).post(f"/certificates/pieces/{piece.pk}/pdf").status_code == 403
    assert api(world.outsider).get(f"/certificates/pieces/{piece.pk}").status_code == 404
