"""Demo lifecycle data on top of the demo certificates: a pledge to bank1, a purchase commitment by
the market purchaser, a completed asset offset against a housing unit, a market purchase waiting
for the SME, and housing-pool units. Idempotent: does nothing once a pledge exists."""

from __future__ import annotations

import datetime as dt

from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org
from liuzhuan.members.models import User

from . import lifecycle
from .models import Application, Piece, Pledge


def _user(name: str) -> User:
    return User.objects.get(username=name)


def load() -> bool:
    if Pledge.objects.exists():
        return False
    a1 = Application.objects.filter(contract_no="HP-SG-2025-017", status="issued").first()
    a2 = Application.objects.filter(contract_no="WJF-CG-2025-088", status="issued").first()
    if a1 is None or a2 is None:  # the demo certificates are not there: nothing to build on
        return False
    today = today_china()
    clerk, checker = _user("op_clerk"), _user("op_checker")
    cert1, cert2 = a1.certificate, a2.certificate

    # 质押: 临河区鑫达建筑 pledges ¥500,000 of its remaining piece to 河套农商行, registered in 中征登记
    sme03_piece = Piece.objects.get(certificate=cert1, holder=org("sme03"), status="live")
    pledge = lifecycle.create_pledge(_user("sme03_boss"), sme03_piece.pk, org("bank1").pk, 500_000_00, "HTNS-ZY-2025-031",
                                     400_000_00, today, today + dt.timedelta(days=365))
    lifecycle.register_pledge(_user("bank1_zhou"), pledge.pk, "04563217000812345678", today)

    # 收购承诺: the market purchaser is approved (maker-checker) and commits on the flour certificate
    provider = lifecycle.prepare_provider(clerk, org("purchaser").pk, 5_000_000_00, "区属国有市场化收购主体")
    lifecycle.decide_provider(checker, provider.pk, True)
    c = lifecycle.request_commitment(
        _user("sme02_boss"), cert2.pk, org("purchaser").pk, price_kind="percent", price_bp=9500,
        lockup_end=today + dt.timedelta(days=60), expiry=today + dt.timedelta(days=240),
        conditions="锁定期满后，持有人可申请按债权金额的 95% 一次性转让；收购方于确认后 5 个工作日内付款。", agreement_ref="XT-WT-2025-006")
    lifecycle.accept_commitment(_user("xt_zheng"), c.pk)

    # 存量房源 and a completed asset offset: 恒泰钢结构 offsets ¥180,000 against a 汇浦 flat; ¥20,000 stays live
    hp = _user("hp_chen")
    unit = lifecycle.add_asset(hp, kind="house", name="汇浦花园二期 5 号楼 1 单元 602 室", list_price_fen=180_000_00,
                               location="临河区新华西街汇浦花园二期", title_no="蒙(2025)临河区不动产权第0012345号")
    lifecycle.add_asset(hp, kind="house", name="汇浦花园二期 7 号楼 2 单元 301 室", list_price_fen=246_000_00,
                        location="临河区新华西街汇浦花园二期", title_no="蒙(2025)临河区不动产权第0012388号")
    lifecycle.add_asset(hp, kind="parking", name="汇浦花园地下车位 B1-088", list_price_fen=68_000_00, location="临河区新华西街汇浦花园")
    sme07 = _user("sme07_boss")
    piece = Piece.objects.filter(certificate=cert1, holder=org("sme07"), status="live").order_by("-amount_fen").first()
    off = lifecycle.apply_offset(sme07, piece.pk, "asset", piece.amount_fen, "意向汇浦花园二期住宅")
    lifecycle.offer_offset_options(hp, off.pk, asset_ids=[unit.pk])
    lifecycle.propose_offset_price(sme07, off.pk, 180_000_00, unit.pk)
    lifecycle.accept_offset_price(hp, off.pk)
    lifecycle.complete_offset(hp, off.pk, delivery_ref="HP-JF-2025-0602", title_registration_ref="临河不动产登记 2025-08812")

    # 化解债务风险: the purchaser buys 宏宇装饰's receivable; the certificate application waits for the SME
    rp = lifecycle.record_receivable_purchase(
        _user("xt_zheng"), seller_id=org("sme10").pk, original_debtor_name="临河区某房地产开发有限公司", receivable_fen=380_000_00,
        price_fen=300_000_00, agreement_ref="XT-SG-2025-011", agreement_date=today - dt.timedelta(days=3), description="装饰工程款，逾期 14 个月")
    lifecycle.apply_for_purchase_certificate(_user("xt_zheng"), rp.pk, maturity_date=today + dt.timedelta(days=180),
                                             accepted_categories="商品房、车位", extension_days=90, extension_max=1)
    return True
