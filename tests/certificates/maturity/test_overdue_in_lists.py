"""Lists show 逾期 for an overdue certificate, whether or not the daily batch has marked it yet."""

from liuzhuan.certificates.ledger.models import Certificate
from liuzhuan.certificates.maturity import actions as maturity
from liuzhuan.certificates.maturity.rules import overdue_as_of
from liuzhuan.core.dates import today_china

from ..conftest import issue
from ..helpers import days


def _status_cells(html: str) -> str:
    return html.split("<tbody>", 1)[1]


def _matured(world, **kw):
    cert, piece = issue(world, **kw)
    Certificate.objects.filter(pk=cert.pk).update(maturity_date=days(-3))  # matured; the batch has not run
    return cert, piece


def test_unmarked_overdue_shows_in_issued_holder_and_debtor_lists(world, client):
    cert, piece = _matured(world)
    assert Certificate.objects.get(pk=cert.pk).overdue_since is None
    client.force_login(world.inspector)
    issued = client.get("/certificates/issued/").content.decode()
    assert 'status-overdue">逾期' in _status_cells(issued) and "有效" not in _status_cells(issued)
    client.force_login(world.alice)
    mine = client.get("/certificates/").content.decode()
    row = mine.split(piece.number, 2)[-1].split("</tr>", 1)[0]
    assert "逾期" in row and "持有中" not in row
    client.force_login(world.bob)
    debts = client.get("/certificates/").content.decode().split("我作为债务人的凭证", 1)[1]
    assert cert.number in debts and "逾期" in debts.split("</table>", 1)[0]
    cert_page = client.get(f"/certificates/c/{cert.pk}/").content.decode()
    assert 'status-overdue">逾期' in cert_page


def test_marked_overdue_and_extension_left(world, client):
    cert, _ = _matured(world, extension_days=30, extension_max=1)  # the batch will extend it, not mark it overdue
    client.force_login(world.inspector)
    assert "逾期" not in _status_cells(client.get("/certificates/issued/").content.decode())
    maturity.process_maturities(days(40))  # extended to day 27, then past that with no extension left
    cert.refresh_from_db()
    assert cert.overdue_since is not None
    assert "逾期" in _status_cells(client.get("/certificates/issued/").content.decode())


def test_not_overdue_before_or_on_maturity(world, client):
    issue(world, maturity_date=days(30))
    client.force_login(world.inspector)
    cells = _status_cells(client.get("/certificates/issued/").content.decode())
    assert "有效" in cells and "逾期" not in cells


def test_overdue_as_of_rule():
    today = today_china()
    assert overdue_as_of(days(-1), today, recorded=None, extension_days=None, extension_max=None, extensions_used=0) == today
    assert overdue_as_of(days(0), today, recorded=None, extension_days=None, extension_max=None, extensions_used=0) is None
    assert overdue_as_of(days(-1), today, recorded=None, extension_days=10, extension_max=1, extensions_used=0) is None
    assert overdue_as_of(days(-1), today, recorded=None, extension_days=10, extension_max=1, extensions_used=1) == today
    assert overdue_as_of(days(5), today, recorded=days(-2), extension_days=None, extension_max=None, extensions_used=0) == days(-2)
