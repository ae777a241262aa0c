"""The shared pager keeps every query parameter but ``page``: filters survive to page 2."""

from urllib.parse import parse_qs, urlsplit

from django.core.paginator import Paginator
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory

from liuzhuan.core import audit


def _links(html: str) -> list[dict]:
    out = []
    for part in html.split('href="')[1:]:
        url = part.split('"', 1)[0].replace("&amp;", "&")
        out.append(parse_qs(urlsplit(url).query))
    return out


def test_pager_keeps_date_range_organisation_and_status():
    request = RequestFactory().get("/bridge/ledger/", {"start": "2026-01-01", "end": "2026-06-30", "org": "乙公司",
                                                        "status": "overdue", "page": "2"})
    page = Paginator(list(range(120)), 50).get_page(2)
    links = _links(render_to_string("_pager.html", {"page": page, "request": request}))
    assert len(links) == 2  # previous and next
    for q, number in zip(links, ("1", "3"), strict=True):
        assert q == {"start": ["2026-01-01"], "end": ["2026-06-30"], "org": ["乙公司"], "status": ["overdue"], "page": [number]}


def test_pager_keeps_repeated_parameters_and_escapes_them():
    request = RequestFactory().get("/x/", {"kind": ["a", "b"], "q": "甲&乙"})
    links = _links(render_to_string("_pager.html", {"page": Paginator(list(range(40)), 30).get_page(1), "request": request}))
    assert links == [{"kind": ["a", "b"], "q": ["甲&乙"], "page": ["2"]}]


def test_event_log_page_two_keeps_the_organisation_filter(world, client):
    for i in range(55):
        with transaction.atomic():
            audit.record(world.alice, "test.event", summary={"i": i})
    with transaction.atomic():
        audit.record(world.bob, "test.event", summary={"i": "bob"})
    client.force_login(world.inspector)
    first = client.get("/supervision/events/", {"org": "甲公司"}).content.decode()
    assert "共 55 条" in first
    nxt = [q for q in _links(first.split('class="pager"', 1)[1]) if q.get("page") == ["2"]]
    assert nxt == [{"org": ["甲公司"], "page": ["2"]}]
    second = client.get("/supervision/events/", {"org": "甲公司", "page": "2"}).content.decode()
    assert "第 2 / 2 页（共 55 条）" in second and "乙公司" not in second.split("<tbody>", 1)[1]


def test_a_named_pager_keeps_the_other_lists_position():
    """Two paged lists on one page: moving one keeps the other's page number."""
    request = RequestFactory().get("/certificates/", {"page": "3", "dpage": "2"})
    page = Paginator(list(range(120)), 50).get_page(2)
    links = _links(render_to_string("_pager.html", {"page": page, "request": request, "param": "dpage"}))
    assert [q["dpage"] for q in links] == [["1"], ["3"]] and all(q["page"] == ["3"] for q in links)


def test_member_dashboard_pages_held_pieces_and_keeps_the_totals(world, client, monkeypatch):
    """A supplier holding many pieces gets them 50 a page (here 1); the totals cover all of them;
    another organisation's pieces never appear."""
    from liuzhuan.certificates.circulation import actions as circulation
    from liuzhuan.certificates.ledger.models import Piece
    from liuzhuan.core import views

    from ..certificates.conftest import issue

    _cert, piece = issue(world)
    issue(world, 2_000_00)
    t = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 1_000_00, "ZR-P")
    circulation.accept_offer(world.carol, t.pk)
    held = list(Piece.objects.filter(holder=world.alice_org, status="live").order_by("certificate__maturity_date", "id"))
    monkeypatch.setattr(views.paged, "__defaults__", ("page", 1))
    client.force_login(world.alice)
    first = client.get("/certificates/").content.decode()
    assert len(held) == 2 and "合计（全部 2 段）" in first and held[0].number in first and "page=2" in first
    assert held[1].number not in first
    assert held[1].number in client.get("/certificates/", {"page": "2"}).content.decode()
    carol_piece = Piece.objects.get(holder=world.carol_org)
    assert carol_piece.number not in first
