"""The oversight dashboard: who may see it, figures equal to sums over the fixtures, Excel exports."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from liuzhuan.certificates.ledger.models import Certificate, Piece, PieceStatus
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Position
from liuzhuan.supervision import dashboard
from liuzhuan.supervision.alerts import BADGE_CACHE_KEY

from ..certificates.conftest import _media_in_tmp, issue  # noqa: F401 (autouse fixture)
from ..conftest import make_org, make_user

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def bureau(world):
    return make_user(make_org("财政局", Role.BUREAU, org_type="institution"), "bureau", Position.MANAGER)


def test_members_and_banks_get_404(world):
    for user in (world.alice, world.banker, world.outsider):
        c = _client(user)
        for url in ("/supervision/", "/supervision/certificates.xlsx", "/supervision/events.xlsx"):
            assert c.get(url).status_code == 404, (user, url)


def test_oversight_roles_see_it(world, bureau):
    for user in (world.inspector, world.clerk, bureau):
        resp = _client(user).get("/supervision/")
        assert resp.status_code == 200
        assert 'id="trend-data"' in resp.content.decode()


def test_figures_equal_independent_sums(world, django_assert_max_num_queries):
    issue(world, amount_fen=1_000_000_00)
    issue(world, amount_fen=250_000_00, maturity_date=timezone.localdate() + dt.timedelta(days=10))
    certs = list(Certificate.objects.all())
    with django_assert_max_num_queries(25):
        f = dashboard.figures(world.inspector)
    assert f["certs"]["issued"] == len(certs) == 2
    assert f["certs"]["issued_fen"] == sum(c.face_fen for c in certs)
    today = timezone.localdate()
    soon = [c for c in certs if today <= c.maturity_date <= today + dt.timedelta(days=30) and c.status == "active"]
    assert f["certs"]["maturing30"] == len(soon)
    assert f["certs"]["maturing30_fen"] == sum(c.face_fen for c in soon)
    live = [p for p in Piece.objects.all() if p.status in (PieceStatus.LIVE, PieceStatus.OFFERED,
                                                           PieceStatus.OFFSETTING, PieceStatus.SELLING)]
    row = next(r for r in f["pieces"] if r["key"] == "outstanding")
    assert (row["count"], row["fen"]) == (len(live), sum(p.amount_fen for p in live))
    month = today.strftime("%Y-%m")
    by_month = dict(zip(f["trends"]["months"], f["trends"]["issuance_fen"], strict=True))
    assert by_month[month] == sum(c.face_fen for c in certs if c.issue_date.strftime("%Y-%m") == month)
    assert len(f["trends"]["months"]) == 12


def test_certificate_export_has_totals_and_filter(world):
    issue(world, amount_fen=1_000_000_00)
    issue(world, amount_fen=123_45)
    world.alice_org.industry = "C"
    world.alice_org.save(update_fields=["industry"])
    resp = _client(world.inspector).get("/supervision/certificates.xlsx", {"industry": "C"})
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert "债权人行业" in rows[0][0]
    assert rows[1][-1] == "凭证金额（元）"
    body = rows[2:-1]
    expected = [c.face_fen for c in Certificate.objects.filter(creditor__industry="C")]
    assert len(body) == len(expected) == 2
    assert rows[-1][0].startswith("合计")
    assert rows[-1][-1] == pytest.approx(sum(expected) / 100)
    assert ws.cell(row=3, column=7).number_format == "#,##0.00"


def test_event_export_opens(world):
    issue(world)
    resp = _client(world.clerk).get("/supervision/events.xlsx", {"action": "certificate."})
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert "动作前缀 certificate." in rows[0][0]
    assert rows[-1][0].startswith("合计")
    assert all(r[2].startswith("certificate.") for r in rows[2:-1])


def test_alerts_page_and_header_badge(world):
    issue(world, maturity_date=timezone.localdate() + dt.timedelta(days=5))
    issue(world, maturity_date=timezone.localdate() + dt.timedelta(days=60))
    assert _client(world.alice).get("/supervision/alerts/").status_code == 404
    cache.delete(BADGE_CACHE_KEY)
    c = _client(world.inspector)
    page = c.get("/supervision/alerts/").content.decode()
    assert 'data-alert="maturing" class="warn"><td>7 天内到期的债权凭证</td><td class="num">1</td>' in page
    header = c.get("/supervision/").context["header_badges"]
    assert header == [{"label": "待办预警", "url": "/supervision/alerts/", "count": 1}]
    assert _client(world.alice).get("/").context["header_badges"] == []


def test_bad_filter_is_refused_in_chinese(world):
    resp = _client(world.inspector).get("/supervision/certificates.xlsx", {"industry": "ZZ", "issued_from": "x"})
    assert resp.status_code == 400
    text = resp.content.decode()
    assert "债权人行业" in text and "开具日期自" in text
