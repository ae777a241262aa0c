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
