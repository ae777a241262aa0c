"""Demo market: 万家福超市 and 塞上建材 as approved special merchants with a few goods and services,
and one settled purchase — an SME pays 万家福 by transferring part of a certificate piece."""

from __future__ import annotations

from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.core.roles import Role
from liuzhuan.members.models import OrgStatus, User

from . import actions
from .models import MerchantProfile
from .rules import Line

SHOPS = [
    ("merchant1", "wjf_he", "万家福超市（新华街店）", "retail", "临河区新华东街 88 号", "何秀英", "0478-8261188", [
        ("河套雪花粉 25kg", "goods", "food", 168_00, 120),
        ("胡麻油 5L", "goods", "food", 139_00, 60),
        ("员工节日福利礼包", "goods", "retail", 298_00, 200),
        ("送货上门（临河城区）", "service", "service", 20_00, None),
    ]),
    ("merchant2", "ss_lin", "塞上建材商贸", "building", "临河区建材城 C 区 12 号", "林建军", "0478-8325566", [
        ("防水卷材 SBS 4mm（卷）", "goods", "building", 185_00, 300),
        ("节能门窗更换（每平方米）", "service", "equipment", 680_00, None),
    ]),
]


def load() -> bool:
    if MerchantProfile.objects.exists():
        return False
    profiles = {}
    for key, username, shop, category, address, contact, phone, items in SHOPS:
        user = User.objects.get(username=username)
        profiles[key] = actions.save_profile(user, shop_name=shop, category=category, address=address, contact_name=contact,
                                             contact_phone=phone, service_area="临河区城区", accepts_transfer=True, accepts_offset=True)
        for name, kind, cat, price, stock in items:
            actions.add_item(user, name=name, kind=kind, category=cat, price_fen=price, stock=stock,
                             description="演示商品，以凭证记载债权支付")
    _one_purchase(profiles["merchant1"])
    return True


def _one_purchase(profile: MerchantProfile) -> None:
    """A member holding a live piece of a certificate on another debtor buys 20 festival packs."""
    shop_org = profile.organisation
    piece = (Piece.objects.filter(status=PieceStatus.LIVE, certificate__status="active", certificate__legacy=False,
                                  amount_fen__gte=10_000_00, holder__status=OrgStatus.ACTIVE, holder__roles__role=Role.MEMBER)
             .exclude(holder=shop_org).exclude(certificate__debtor=shop_org).exclude(holder__roles__role=Role.MERCHANT)
             .select_related("holder").order_by("pk").first())
    if piece is None:  # no certificates demo: the shops stand without a sale
        return
    buyer = User.objects.filter(organisation=piece.holder, is_active=True).order_by("pk").first()
    pack = profile.items.get(name="员工节日福利礼包")
    order = actions.place_order(buyer, profile.pk, [Line(pack.pk, 20)], mode="transfer", piece_id=piece.pk, note="中秋员工福利")
    actions.settle_order(User.objects.get(username="wjf_he"), order.pk)

