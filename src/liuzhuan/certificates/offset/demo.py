"""Demo housing pool (存量房源) and a completed asset offset: 恒泰钢结构 offsets ¥180,000 against a 汇浦
flat (documents uploaded, receipt confirmed, cancellation registered by the operator); ¥20,000 stays live."""

from __future__ import annotations

from liuzhuan.members.demo import org

from ..ledger.demo import user
from ..ledger.models import Certificate, Piece
from . import actions


def load(cert: Certificate) -> None:
    hp = user("hp_chen")
    unit = actions.add_asset(hp, kind="house", name="汇浦花园二期 5 号楼 1 单元 602 室", list_price_fen=180_000_00,
                             location="临河区新华西街汇浦花园二期", title_no="蒙(2025)临河区不动产权第0012345号")
    actions.add_asset(hp, kind="house", name="汇浦花园二期 7 号楼 2 单元 301 室", list_price_fen=246_000_00,
                      location="临河区新华西街汇浦花园二期", title_no="蒙(2025)临河区不动产权第0012388号")
    actions.add_asset(hp, kind="parking", name="汇浦花园地下车位 B1-088", list_price_fen=68_000_00, location="临河区新华西街汇浦花园")
    sme07 = user("sme07_boss")
    piece = Piece.objects.filter(certificate=cert, holder=org("sme07"), status="live").order_by("-amount_fen").first()
    off = actions.apply_offset(sme07, piece.pk, "asset", piece.amount_fen, "意向汇浦花园二期住宅")
    actions.offer_offset_options(hp, off.pk, asset_ids=[unit.pk])
    actions.propose_offset_price(sme07, off.pk, 180_000_00, unit.pk)
    actions.accept_offset_price(hp, off.pk)
    actions.add_offset_evidence(hp, off.pk, "delivery", "交房确认书.pdf", b"%PDF-1.4\n% demo: handover of 5-1-602\n")
    actions.add_offset_evidence(hp, off.pk, "title", "不动产转移登记受理凭证.pdf", b"%PDF-1.4\n% demo: title transfer 2025-08812\n")
    actions.record_offset_delivery(hp, off.pk, delivery_ref="HP-JF-2025-0602", title_registration_ref="临河不动产登记 2025-08812")
    actions.confirm_offset_receipt(sme07, off.pk)
    actions.register_offset_cancellation(user("op_clerk"), off.pk)
