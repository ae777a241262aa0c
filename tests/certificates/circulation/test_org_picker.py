"""The organisation picker: a <select> while a form offers few organisations, a text box for the
统一社会信用代码 or exact name (with suggestions from /members/lookup/) once the register is large.
Whatever is typed, only the form's own choices are accepted."""

import pytest

from liuzhuan.certificates.ledger.models import Transfer
from liuzhuan.core.roles import Role
from liuzhuan.members.forms import OrganisationPicker

from ...conftest import make_org, make_user, new_ric
from ..helpers import state


@pytest.fixture
def large_register(monkeypatch):
    """Pretend the register is past the select's limit (the world has a handful of members)."""
    monkeypatch.setattr(OrganisationPicker, "SELECT_LIMIT", 2)


def transfer(client, piece, to_org) -> str:
    r = client.post(f"/certificates/pieces/{piece.pk}/", {"form": "single", "to_org": to_org, "amount": "1,000.00",
                                                           "agreement_ref": "ZR-1"}, follow=True)
    assert r.status_code == 200
    return r.content.decode()


def test_few_organisations_are_a_select(world, issued, client):
    _, piece = issued
    client.force_login(world.alice)
    page = client.get(f"/certificates/pieces/{piece.pk}/").content.decode()
    assert '<select name="to_org"' in page and "戊公司</option>" in page and "data-org-lookup" not in page


def test_large_register_is_a_text_box_with_suggestions(world, issued, client, large_register):
    _, piece = issued
    client.force_login(world.alice)
    page = client.get(f"/certificates/pieces/{piece.pk}/").content.decode()
    assert '<select name="to_org"' not in page and "戊公司</option>" not in page
    assert 'name="to_org"' in page and 'data-org-lookup="/members/lookup/"' in page and 'list="id_to_org-options"' in page
    assert '<datalist id="id_to_org-options">' in page and "org-lookup.js" in page


@pytest.mark.parametrize("typed", ["code", "lower-case code", "name"])
def test_typed_code_or_name_transfers(world, issued, client, large_register, typed):
    _, piece = issued
    client.force_login(world.alice)
    text = {"code": world.carol_org.legal_id, "lower-case code": world.carol_org.legal_id.lower(), "name": "戊公司"}[typed]
    page = transfer(client, piece, f"  {text} ")
    t = Transfer.objects.get()
    assert t.to_org_id == world.carol_org.pk and t.amount_fen == 1_000_00
    assert "已向 戊公司 发出转让 ¥1,000.00" in page


@pytest.mark.parametrize("who", ["unknown code", "unknown name", "the debtor", "a suspended member", "the regulator"])
def test_outside_the_choices_is_refused_in_chinese(world, issued, client, large_register, who):
    _, piece = issued
    suspended = make_org("停用公司", Role.MEMBER, status="suspended")
    text = {"unknown code": "91110000MA00000000", "unknown name": "不存在公司", "the debtor": world.bob_org.legal_id,
            "a suspended member": suspended.legal_id, "the regulator": world.regulator_org.legal_id}[who]
    client.force_login(world.alice)
    before = state()
    page = transfer(client, piece, text)
    assert f"“{text}”不在可选范围内" in page and state() == before
    assert f'value="{text}"' in page  # the clerk's text is kept for correction


def test_a_shared_name_asks_for_the_code(world, issued, client, large_register):
    _, piece = issued
    make_org("戊公司", Role.MEMBER)  # a second member of the same name
    client.force_login(world.alice)
    before = state()
    assert "“戊公司”有重名，请改填统一社会信用代码" in transfer(client, piece, "戊公司") and state() == before
    transfer(client, piece, world.carol_org.legal_id)
    assert Transfer.objects.get().to_org_id == world.carol_org.pk


def test_a_select_post_of_a_primary_key_still_works(world, issued, client, large_register):
    _, piece = issued
    client.force_login(world.alice)
    transfer(client, piece, str(world.carol_org.pk))
    assert Transfer.objects.get().to_org_id == world.carol_org.pk


def lookup(client, **params):
    return client.get("/members/lookup/", params)


def test_lookup_suggests_active_members_by_name_or_code(world, client):
    make_org("戊公司分店", Role.MEMBER, status="suspended")
    client.force_login(world.alice)
    r = lookup(client, q="戊公")
    assert r.status_code == 200
    assert r.json()["results"] == [{"value": world.carol_org.legal_id, "label": "戊公司"}]
    prefix = world.carol_org.legal_id[:12].lower()
    assert {"value": world.carol_org.legal_id, "label": "戊公司"} in lookup(client, q=prefix).json()["results"]
    assert lookup(client, q="戊").json()["results"] == []  # two characters at least


def test_lookup_by_role_and_never_a_persons_id_number(world, client):
    person = make_org("张三", Role.MEMBER, org_type="person")
    person.legal_id = new_ric()
    person.save()
    client.force_login(world.alice)
    assert lookup(client, q="张三").json()["results"] == [{"value": "张三", "label": "张三（自然人）"}]
    assert lookup(client, q=person.legal_id[:10]).json()["results"] == []  # no search by ID-number prefix
    assert lookup(client, q="丙银", role="bank").json()["results"] == [{"value": world.bank_org.legal_id, "label": "丙银行"}]
    assert lookup(client, q="监管", role="member").json()["results"] == []


def test_lookup_asks_who_is_asking(world, client):
    assert lookup(client, q="戊公").status_code == 302  # anonymous: to the login page
    client.force_login(world.alice)
    r = lookup(client, q="监管", role="regulator")  # only roles a form picks from
    assert r.status_code == 400 and "role" in r.json()["error"]
    orgless = make_user(world.alice_org, "orgless")
    orgless.organisation = None
    orgless.save()
    client.force_login(orgless)
    assert lookup(client, q="戊公").status_code == 403  # a login with no organisation sees no page
