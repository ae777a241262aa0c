"""The regulator's event log in Chinese: action names, amounts in yuan, a filter by Chinese name."""

import ast
import pathlib
import re

from django.db import transaction

import liuzhuan
from liuzhuan.core import audit
from liuzhuan.supervision import labels


def _tbody(html: str) -> str:
    return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_events_show_chinese_names_yuan_and_readable_changes(world, client):
    with transaction.atomic():
        audit.record(world.clerk, "certificate.issue", world.alice_org, summary={
            "number": "LZ2026000001M", "face_fen": 123_456_789, "maturity": "2027-03-05"})
        audit.record(world.clerk, "member.suspend", world.bob_org, summary={
            "before": {"status": "active"}, "after": {"status": "suspended"}, "reason": "年检未通过"})
        audit.record(world.clerk, "made.up_code", summary={"count": 3, "amount_fen": 5})
    client.force_login(world.inspector)
    body = _tbody(client.get("/supervision/events/").content.decode())
    assert "开具凭证" in body and "暂停机构" in body
    assert "¥1,234,567.89" in body and "123456789" not in body and "face_fen" not in body
    assert "编号：LZ2026000001M" in body and "变更前：状态 active" in body and "原因：年检未通过" in body
    assert "made.up_code" in body and "¥0.05" in body  # an unknown code shows as itself; amounts still in yuan
    assert '{"' not in body  # no raw JSON


def test_filter_by_chinese_name_or_code_prefix_and_keep_it_on_page_two(world, client):
    with transaction.atomic():
        for i in range(52):
            audit.record(world.clerk, "certificate.issue", world.alice_org, summary={"number": f"N{i}"})
        audit.record(world.clerk, "bridge.fund.auto_suspend", summary={"at_risk_fen": 1})
    client.force_login(world.inspector)
    html = client.get("/supervision/events/", {"action": "叫停"}).content.decode()
    assert "风险达到 30% 自动叫停" in _tbody(html) and "开具凭证" not in _tbody(html)
    html = client.get("/supervision/events/", {"action": "开具凭证"}).content.decode()
    assert "共 52 条" in html and "叫停" not in _tbody(html)
    assert "action=%E5%BC%80%E5%85%B7%E5%87%AD%E8%AF%81&amp;page=2" in html  # the pager keeps the Chinese filter
    assert "共 52 条" in client.get("/supervision/events/", {"action": "certificate."}).content.decode()


def test_members_and_outsiders_do_not_see_the_log(world, client):
    for user in (world.alice, world.outsider):
        client.force_login(user)
        assert client.get("/supervision/events/", {"action": "开具凭证"}).status_code == 404


def _codes_in_source() -> set[str]:
    """Every literal action code passed to audit.record / audit.entry / record_many in the source."""
    code = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
    found = set()
    for path in pathlib.Path(liuzhuan.__file__).parent.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("record", "entry"):
                for arg in node.args[:2]:
                    options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                    found |= {a.value for a in options if isinstance(a, ast.Constant) and isinstance(a.value, str) and code.match(a.value)}
    return found


def test_every_action_code_in_the_source_has_a_chinese_name():
    codes = _codes_in_source()
    assert len(codes) > 100
    missing = sorted(c for c in codes if labels.action_label(c) == c)
    assert not missing, missing


def test_amount_keys_and_fallbacks():
    assert labels.summary_items({"amount_fen": 100_000, "min_unit_fen": 100, "foo": None, "ok": True}) == [
        ("金额", "¥1,000.00"), ("最小拆分单位", "¥1.00"), ("foo", "—"), ("ok", "是")]
    assert labels.codes_named("质押") and all("质押" in labels.ACTION_LABELS[c] for c in labels.codes_named("质押"))
    assert labels.codes_named("") == []
