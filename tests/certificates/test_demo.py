"""The demo data includes a pledge to bank1, a purchase commitment, a completed asset offset and a
market purchase; loading twice changes nothing and ``liuzhuan verify`` passes."""

import pytest
from django.core.management import call_command

from liuzhuan.certificates.market.models import ReceivablePurchase
from liuzhuan.certificates.offset.models import OffsetApplication
from liuzhuan.certificates.pledge.models import Pledge
from liuzhuan.certificates.purchase.models import PurchaseCommitment
from liuzhuan.core.integrity import run_all
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.demo import org


@pytest.mark.django_db
def test_demo_lifecycle(capsys):
    call_command("demo", quiet_logins=True)
    p = Pledge.objects.get()
    assert p.pledgee == org("bank1") and p.status == "effective" and p.registration_no
    assert [c.status for c in PurchaseCommitment.objects.all()] == ["active", "active"]
    off = OffsetApplication.objects.order_by("pk").first()  # the certificates demo's (the housing demo adds one later)
    assert off.status == "completed" and off.remainder_piece.amount_fen == 20_000_00
    assert ReceivablePurchase.objects.get().status == "applied"
    n = AuditEvent.objects.count()
    call_command("demo", quiet_logins=True)
    assert AuditEvent.objects.count() == n
    report = run_all()
    assert report.ok, report.problems


@pytest.mark.django_db
def test_every_lifecycle_page_renders_for_its_users(client):
    from liuzhuan.certificates.ledger.models import Piece
    from liuzhuan.members.models import User

    call_command("demo", quiet_logins=True)
    p = Pledge.objects.get()
    off = OffsetApplication.objects.order_by("pk").first()  # the certificates demo's (the housing demo adds one later)
    c = PurchaseCommitment.objects.get(entrusted_by=org("sme02"))
    rp = ReceivablePurchase.objects.get()
    live = Piece.objects.filter(holder=p.pledgor, status="live").first()
    pages = {
        "bank1_zhou": ["/certificates/lifecycle/pledges/", f"/certificates/lifecycle/pledges/{p.pk}/", f"/certificates/pieces/{p.piece_id}/"],
        "sme03_boss": [f"/certificates/lifecycle/pledges/{p.pk}/", f"/certificates/lifecycle/pieces/{live.pk}/",
                       f"/certificates/pieces/{p.piece_id}/", f"/certificates/c/{p.certificate_id}/", "/certificates/"],
        "hp_chen": ["/certificates/lifecycle/offsets/", f"/certificates/lifecycle/offsets/{off.pk}/", "/certificates/lifecycle/assets/",
                    f"/certificates/c/{p.certificate_id}/"],
        "sme07_boss": [f"/certificates/lifecycle/offsets/{off.pk}/", f"/certificates/pieces/{off.remainder_piece_id}/"],
        "xt_zheng": ["/certificates/lifecycle/commitments/", f"/certificates/lifecycle/commitments/{c.pk}/",
                     "/certificates/lifecycle/purchases/", f"/certificates/lifecycle/purchases/{rp.pk}/"],
        "sme02_boss": [f"/certificates/lifecycle/commitments/{c.pk}/", f"/certificates/lifecycle/certs/{c.certificate_id}/commitment/"],
        "sme10_boss": ["/certificates/lifecycle/purchases/", f"/certificates/lifecycle/purchases/{rp.pk}/"],
        "op_clerk": ["/certificates/lifecycle/providers/", "/certificates/lifecycle/voids/", f"/certificates/lifecycle/certs/{c.certificate_id}/void/",
                     f"/certificates/c/{c.certificate_id}/", "/certificates/lifecycle/pledges/"],
        "jg_sun": ["/certificates/lifecycle/pledges/", "/certificates/lifecycle/offsets/", "/certificates/lifecycle/commitments/",
                   f"/certificates/lifecycle/pledges/{p.pk}/", "/certificates/lifecycle/providers/", "/certificates/lifecycle/purchases/"],
    }
    for username, urls in pages.items():
        client.force_login(User.objects.get(username=username))
        home = client.get("/")
        assert home.status_code == 200
        for url in urls:
            r = client.get(url)
            assert r.status_code == 200, (username, url, r.status_code)


@pytest.mark.django_db
def test_first_demo_login_holds_a_certificate_past_its_lockup():
    """Issue 18: ``sme01_boss``, the first login the README suggests, holds a piece under a commitment
    whose lock-up has ended, so the sale after lock-up can be tried at once."""
    from liuzhuan.certificates.ledger.models import Piece
    from liuzhuan.certificates.purchase import actions as purchase
    from liuzhuan.core.dates import today_china
    from liuzhuan.members.models import User

    call_command("demo", quiet_logins=True)
    piece = Piece.objects.get(holder=org("sme01"), status="live")
    c = PurchaseCommitment.objects.get(entrusted_by=org("sme01"))
    assert c.status == "active" and c.lockup_end < today_china() < c.expiry and c.certificate_id == piece.certificate_id
    sale = purchase.apply_sale(User.objects.get(username="sme01_boss"), piece.pk, c.pk, piece.amount_fen)
    assert sale.status == "applied"
