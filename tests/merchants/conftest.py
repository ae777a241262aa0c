"""Merchant fixtures: a shop that is not the debtor (paid by transfer), the debtor's own shop (paid
by consumption offset), a few catalogue items; certificates come from the certificates tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from liuzhuan.core.roles import Role
from liuzhuan.members.models import OrganisationRole, Position
from liuzhuan.merchants import actions as merchants
from liuzhuan.merchants.rules import Line

from ..certificates.conftest import issue
from ..conftest import make_org, make_user


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # settlement slips do not land in var/


def profile_for(user, name: str, **kw):
    return merchants.save_profile(user, shop_name=name, category=kw.pop("category", "retail"), address="临河区新华街 1 号",
                                  contact_name="何秀英", contact_phone="0478-1234567", service_area="临河区", **kw)


def goods(user, name="河套面粉 25kg", price=150_00, stock=5, **kw):
    return merchants.add_item(user, name=name, kind=kw.pop("kind", "goods"), category=kw.pop("category", "food"), price_fen=price,
                              stock=stock, **kw)


@dataclass
class Market:
    shop_org: object  # a merchant that is not the certificates' debtor: paid by transfer
    shop: object  # its user
    profile: object
    flour: object
    service: object
    debtor_profile: object  # bob (the certificates' debtor) is a merchant too: paid by consumption offset
    oil: object


@pytest.fixture
def market(world) -> Market:
    shop_org = make_org("万家福超市", Role.MERCHANT, Role.MEMBER)
    shop = make_user(shop_org, "wjf", Position.MANAGER)
    profile = profile_for(shop, "万家福超市")
    flour = goods(shop)
    service = goods(shop, "上门安装服务", 80_00, None, kind="service", category="service")
    OrganisationRole.objects.create(organisation=world.bob_org, role=Role.MERCHANT)
    world.bob_org.__dict__.pop("_role_cache", None)  # the same object as world.bob.organisation
    debtor_profile = profile_for(world.bob, "乙公司门市部", category="food")
    oil = goods(world.bob, "胡麻油 5L", 120_00, 3)
    return Market(shop_org, shop, profile, flour, service, debtor_profile, oil)


@pytest.fixture
def cert_piece(world):
    """alice holds a ¥10,000 certificate on bob whose scope includes consumption."""
    return issue(world, 10_000_00, settle_by_consumption=True)


def buy(user, profile, piece, *lines, mode="transfer"):
    return merchants.place_order(user, profile.pk, [Line(i.pk, q) for i, q in lines], mode=mode, piece_id=piece.pk)
