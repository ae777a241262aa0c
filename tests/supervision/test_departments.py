"""One dashboard per department; every figure links to the list behind it, each row to its record;
filters (period, industry, size, area) kept through the pager and in the export."""

import io
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from openpyxl import load_workbook

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.ledger.models import Certificate, Piece
from liuzhuan.core.roles import Department, Role
from liuzhuan.members.models import Position
from liuzhuan.supervision import dashboard, departments
from liuzhuan.supervision.filters import PIECE_GROUP_STATUSES

from ..certificates.conftest import _media_in_tmp, issue  # noqa: F401 (autouse fixture)
from ..conftest import make_org, make_user

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _dept_user(department: str, username: str):
    org = make_org(f"{username}机构", Role.REGULATOR, org_type="institution")
    org.department = department
    org.save(update_fields=["department"])
    return make_user(org, username)


def test_each_user_opens_their_own_department(world):
    bureau = make_user(make_org("财政局", Role.BUREAU, org_type="institution"), "bureau", Position.MANAGER)
    housing = _dept_user(Department.HOUSING, "zjj")
    market = _dept_user(Department.MARKET, "scj")
    office = _dept_user(Department.LEADING_GROUP, "lgo")
    expected = {bureau: "finance", housing: "housing", market: "market", office: "leading_group",
                world.inspector: "regulator", world.clerk: "regulator"}
    for user, key in expected.items():
        assert departments.department_of(user).key == key
        page = _client(user).get("/supervision/").content.decode()
        assert re.search(rf'data-dept="{key}" class="active"', page), (user, key)
        assert "（本部门）" in page


def test_department_pages_show_their_own_sections(world):
    issue(world)
    c = _client(world.inspector)
    finance = c.get("/supervision/d/finance/").content.decode()
    assert 'id="loan-figures"' in finance and "服务费" in finance and 'data-panel=' not in finance
    assert "<h2>债务抵销</h2>" not in finance
    housing = c.get("/supervision/d/housing/").content.decode()
    assert 'id="offset-figures"' in housing and 'data-panel="housing"' in housing
    assert 'id="loan-figures"' not in housing
    market = c.get("/supervision/d/market/").content.decode()
    assert 'id="member-figures"' in market and 'data-panel="market"' in market
    office = c.get("/supervision/d/leading_group/").content.decode()
    assert "<h2>债务抵销</h2>" in office and 'id="loan-figures"' in office and 'data-panel="housing"' in office
    assert c.get("/supervision/d/nope/").status_code == 404


def test_members_and_banks_get_404_on_every_department_and_list(world):
    issue(world)
    for user in (world.alice, world.banker, world.outsider):
        c = _client(user)
        for url in ("/supervision/d/finance/", "/supervision/certificates/", "/supervision/pieces/",
                    "/supervision/loans/", "/supervision/pieces.xlsx", "/supervision/loans.xlsx", "/supervision/report.pdf"):
            assert c.get(url).status_code == 404, (user, url)


def test_provided_panel_is_shown(world, monkeypatch):
    module = SimpleNamespace(PANELS=[{"key": "housing", "title": "房源池去化",
                                      "figures": lambda today: [{"label": "已去化套数", "count": 7, "fen": 123_45, "url": "/x/"}]}])
    monkeypatch.setattr(departments, "app_modules", lambda name: iter([(None, module)]))
    page = _client(world.inspector).get("/supervision/d/housing/").content.decode()
    assert "房源池去化" in page and '<a href="/x/">已去化套数</a>' in page and "¥123.45" in page
    assert "尚未接入" not in page.split('data-panel="housing"')[1].split("</section>")[0]


def _list_count(c, url):
    return c.get(url).context["page"].paginator.count


def test_every_piece_figure_equals_its_list(world):
    _cert, piece = issue(world, amount_fen=1_000_00)
    issue(world, amount_fen=2_000_00)
    t = circulation.offer_transfer(world.alice, piece.pk, world.carol_org.pk, 300_00, "ZR-1")
    circulation.accept_offer(world.carol, t.pk)
    f = dashboard.figures(world.inspector, sections=("certificates",))
    c = _client(world.inspector)
    page = c.get("/supervision/").content.decode()
    for row in f["pieces"]:
        url = f"/supervision/pieces/?group={row['key']}"
        assert f'href="{url}"' in page.replace("&amp;", "&")
        assert _list_count(c, url) == row["count"] == Piece.objects.filter(
            status__in=PIECE_GROUP_STATUSES[row["key"]]).count()
    assert _list_count(c, "/supervision/pieces/?origin=split") == f["split"]["count"] >= 1
    assert _list_count(c, "/supervision/certificates/") == f["certs"]["issued"] == 2
    assert _list_count(c, "/supervision/certificates/?status=active&matures_within=30") == f["certs"]["maturing30"]


def test_list_rows_link_to_the_record_which_the_regulator_can_open(world):
    cert, piece = issue(world)
    c = _client(world.inspector)
    page = c.get("/supervision/pieces/?group=outstanding").content.decode()
    assert f'href="/certificates/pieces/{piece.pk}/"' in page
    assert f'href="/certificates/c/{cert.pk}/"' in page
    assert c.get(f"/certificates/pieces/{piece.pk}/").status_code == 200
    assert c.get(f"/certificates/c/{cert.pk}/").status_code == 200


def test_filters_by_period_industry_size_and_area_kept_in_pager_and_export(world):
    world.alice_org.industry, world.alice_org.enterprise_size = "C", "small"
    world.alice_org.legal_id = world.alice_org.legal_id[:2] + "340881" + world.alice_org.legal_id[8:]
    world.alice_org.save()
    for _ in range(3):
        issue(world, amount_fen=100_00)
    Certificate.objects.filter(pk=Certificate.objects.order_by("id").first().pk).update(issue_date="2020-01-15")
    c = _client(world.inspector)
    today = dashboard.timezone.localdate().isoformat()
    query = f"industry=C&size=small&area=3408&issued_from=2021-01-01&issued_to={today}"
    resp = c.get(f"/supervision/certificates/?{query}")
    assert resp.context["page"].paginator.count == 2
    assert _list_count(c, "/supervision/certificates/?area=3409") == 0
    assert _list_count(c, "/supervision/certificates/?industry=F") == 0
    resp = c.get(f"/supervision/certificates/?{query}")
    html = resp.content.decode().replace("&amp;", "&")
    assert f'href="/supervision/certificates.xlsx?{query}"' in html
    x = c.get(f"/supervision/certificates.xlsx?{query}")
    rows = list(load_workbook(io.BytesIO(b"".join(x.streaming_content))).active.iter_rows(values_only=True))
    assert "债权人行业 制造业" in rows[0][0] and "债权人地区 3408" in rows[0][0] and "债权人规模 小型" in rows[0][0]
    assert len(rows) == 2 + 2 + 1  # title, headers, two rows, totals


def test_pager_keeps_the_filter(world, monkeypatch):
    for _ in range(3):
        issue(world, amount_fen=100_00)
    from django.core import paginator

    real = paginator.Paginator
    monkeypatch.setattr("liuzhuan.supervision.views.Paginator", lambda qs, n: real(qs, 1))
    html = _client(world.inspector).get("/supervision/certificates/?status=active").content.decode()
    assert 'href="?status=active&amp;page=2"' in html


def test_bad_area_is_refused_in_chinese(world):
    resp = _client(world.inspector).get("/supervision/certificates/?area=34x")
    assert "债权人地区" in resp.content.decode() and resp.context["page"].paginator.count == 0
    assert _client(world.inspector).get("/supervision/pieces.xlsx?area=1").status_code == 400


def test_certificate_report_pdf(world):
    issue(world)
    resp = _client(world.inspector).get("/supervision/report.pdf")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF") and len(resp.content) > 2000


def test_trend_bounds_drill_to_the_period(world):
    f = dashboard.figures(world.inspector, sections=("trends",))["trends"]
    assert len(f["month_bounds"]) == 12 and f["month_bounds"][-1][0].endswith("-01")
    assert sum(f["issuance_fen_q"]) == sum(f["issuance_fen"])
    assert f["quarter_bounds"][0][0] == f["month_bounds"][0][0]
    assert f["quarter_bounds"][-1][1] == f["month_bounds"][-1][1]


def test_missing_panel_says_so_instead_of_zero(world, monkeypatch):
    monkeypatch.setattr(departments, "app_modules", lambda name: iter(()))
    page = _client(world.inspector).get("/supervision/d/housing/").content.decode()
    assert "尚未接入" in page.split('data-panel="housing"')[1].split("</section>")[0]
