"""The site's icon: browsers ask for /favicon.ico by themselves; pages name it too (issue 18)."""

from django.test import Client


def test_favicon_is_served_and_linked(db):
    c = Client()
    r = c.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/x-icon"
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    html = c.get("/login/").content.decode()
    assert 'rel="icon"' in html and "favicon" in html
