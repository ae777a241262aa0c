"""The agreed offset scope (「在指定范围内进行资产抵付或消费抵付」): a structured choice on the
certificate's application; assets or consumption outside it are refused in the action, the API
(4xx naming the field) and the pages (Chinese error)."""

import importlib

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.ledger import scope
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.offset.models import AssetKind, OffsetApplication
from liuzhuan.core.errors import DomainError

from ..conftest import app_input, issue
from ..helpers import state


def _steel(world):
    return offset.add_asset(world.bob, kind="goods", name="螺纹钢 HRB400 200 吨", list_price_fen=800_000_00)


def _house(world):
    return offset.add_asset(world.bob, kind="house", name="汇浦花园 1-1-101", list_price_fen=800_000_00)


def test_scope_categories_are_the_asset_kinds_plus_consumption():
    assert list(scope.ASSET_CATEGORIES) == [(k.value, k.label) for k in AssetKind]
    assert scope.SCOPE_CHOICES[-1][0] == "consumption"


def test_scope_is_stored_structured_and_sets_the_manners(world):
    app = issuance.create_application(world.alice, app_input(world.bob_org, offset_scope=("consumption", "goods", "goods")))
    assert app.offset_scope == ["goods", "consumption"] and app.settle_by_asset and app.settle_by_consumption
    assert app.offset_scope_label == "商品/货物、消费"
    app = issuance.create_application(world.alice, app_input(world.bob_org, offset_scope=("house",)))
    assert (app.settle_by_asset, app.settle_by_consumption) == (True, False)


def test_house_only_scope_refuses_steel(world):
    """The case from issue 19: scope 商品房, the debtor offered steel."""
    _, piece = issue(world)  # offset_scope=("house",)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    steel, house = _steel(world), _house(world)
    before = state()
    with pytest.raises(DomainError) as exc:
        offset.offer_offset_options(world.bob, off.pk, asset_ids=[house.pk, steel.pk])
    assert (exc.value.code, exc.value.field) == ("offset_out_of_scope", "asset_ids")
    assert "螺纹钢" in exc.value.message and "商品/货物" in exc.value.message and "商品房" in exc.value.message
    assert state() == before
    off = offset.offer_offset_options(world.bob, off.pk, asset_ids=[house.pk])
    assert list(off.offered_assets.all()) == [house]


def test_asset_kind_changed_after_offer_is_refused_at_price(world):
    """Defence in depth: the scope is checked again when the asset is chosen."""
    from liuzhuan.certificates.offset.models import OffsetAsset

    _, piece = issue(world)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    house = _house(world)
    offset.offer_offset_options(world.bob, off.pk, asset_ids=[house.pk])
    OffsetAsset.objects.filter(pk=house.pk).update(kind="goods")
    with pytest.raises(DomainError) as exc:
        offset.propose_offset_price(world.alice, off.pk, 100_00, house.pk)
    assert (exc.value.code, exc.value.field) == ("offset_out_of_scope", "asset_id")


def test_consumption_outside_scope_is_refused(world):
    _, piece = issue(world)
    before = state()
    with pytest.raises(DomainError) as exc:
        offset.apply_offset(world.alice, piece.pk, "consumption", 100_00)
    assert (exc.value.code, exc.value.field) == ("offset_kind_not_agreed", "kind") and "商品房" in exc.value.message
    assert state() == before


def test_scope_rejects_other_org(world):
    """An outsider learns nothing about the scope: 404 before any scope check."""
    _, piece = issue(world)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    steel = _steel(world)
    for user, status in ((world.outsider, 404), (world.alice, 403)):
        with pytest.raises(DomainError) as exc:
            offset.offer_offset_options(user, off.pk, asset_ids=[steel.pk])
        assert exc.value.status == status


def test_api_names_the_field(world, api):
    _, piece = issue(world)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    r = api(world.bob).post(f"/certificates/offsets/{off.pk}/options", {"asset_ids": [_steel(world).pk]})
    assert r.status_code == 400 and r.json()["field"] == "asset_ids" and r.json()["code"] == "offset_out_of_scope"
    payload = {"counterparty_id": world.bob_org.pk, "role": "creditor", "contract_no": "A1", "contract_title": "合同",
               "contract_date": "2026-01-05", "amount_fen": 100, "maturity_date": "2030-01-01", "non_cash_declared": True}
    for bad, code in (([], "offset_scope_required"), (["steel"], "offset_scope_invalid")):
        r = api(world.alice).post("/certificates/applications", {**payload, "offset_scope": bad})
        assert r.status_code == 400 and r.json()["field"] == "offset_scope" and r.json()["code"] == code


def test_pages_show_chinese_errors(world, client):
    _, piece = issue(world)
    off = offset.apply_offset(world.alice, piece.pk, "asset", piece.amount_fen)
    steel = _steel(world)
    client.force_login(world.bob)
    r = client.post(f"/certificates/lifecycle/offsets/{off.pk}/", {"form": "options", "assets": [steel.pk]})
    assert r.status_code == 200 and "不在凭证约定的可抵付范围（商品房）内" in r.content.decode()
    assert not OffsetApplication.objects.get(pk=off.pk).offered_assets.exists()
    client.force_login(world.alice)
    r = client.post("/certificates/apply/", {"role": "creditor", "counterparty": world.bob_org.pk, "contract_no": "X",
                                             "contract_title": "T", "contract_date": "2026-01-01", "amount": "1,000.00",
                                             "maturity_date": "2030-01-01", "non_cash_declared": "on"})
    assert r.status_code == 200 and "请选择可抵付范围" in r.content.decode()
    assert "可抵付范围：商品房" in client.get(f"/certificates/lifecycle/pieces/{piece.pk}/").content.decode()


def test_migration_maps_the_free_text_and_flags_what_it_cannot():
    mig = importlib.import_module("liuzhuan.certificates.migrations.0009_offset_scope_data")
    assert mig.infer_scope("商品房、建材、农机", True, False) == (["house", "goods"], False)
    assert mig.infer_scope("商品房、车位", True, False) == (["house", "parking"], False)  # 商品房 is not 商品 goods
    assert mig.infer_scope("商品房及日用商品", True, False) == (["house", "goods"], False)
    assert mig.infer_scope("地下车位及商铺", True, True) == (["parking", "shop", "consumption"], False)
    assert mig.infer_scope("超市日用品、粮油", False, True) == (["consumption"], False)
    assert mig.infer_scope("工程款抵付", True, False) == (["house", "parking", "shop", "goods", "other"], True)
    assert mig.infer_scope("", True, False)[1] is True
