"""The issued-certificates list: the total above the rows follows the search."""

from ...conftest import make_org, make_user
from ..conftest import issue


def test_total_follows_the_search(world, client):
    issue(world, amount_fen=1_000_000_00)  # alice → bob
    other = make_org("庚公司", "member")
    world.bob_org, world.bob = other, make_user(other, "geng")
    issue(world, amount_fen=250_000_00)  # alice → 庚公司
    client.force_login(world.inspector)
    page = client.get("/certificates/issued/").content.decode()
    assert "有效凭证面额合计 ¥1,250,000.00" in page
    page = client.get("/certificates/issued/", {"q": "庚公司"}).content.decode()
    assert "有效凭证面额合计 ¥250,000.00" in page and "乙公司" not in page.split("<tbody>", 1)[1]
    page = client.get("/certificates/issued/", {"q": "没有这家"}).content.decode()
    assert "有效凭证面额合计 —" in page or "有效凭证面额合计 ¥0.00" in page


def test_outsider_cannot_see_the_list(world, client):
    client.force_login(world.outsider)
    assert client.get("/certificates/issued/", {"q": "乙"}).status_code == 404
