"""Demo pool: 汇浦's units listed earlier in the flat asset list folded into the pool (one of
them sold by the certificate offset of the certificates demo), two new units, and one completed
certificate offset — a holder of 汇浦's construction certificate takes a flat with part of a piece
(the rest stays live) and a cash top-up, through every registration step."""

from __future__ import annotations

import datetime as dt

from liuzhuan.certificates.ledger.models import Piece, PieceStatus
from liuzhuan.certificates.offset.models import OffsetAsset
from liuzhuan.core.dates import today_china
from liuzhuan.members.demo import org
from liuzhuan.members.models import User

from . import actions, offsetting
from .models import Unit

DEMO_PDF = b"%PDF-1.4\n% demo: housing pool "


def _user(name: str) -> User:
    return User.objects.get(username=name)


def load() -> bool:
    if Unit.objects.exists() or not User.objects.filter(username="hp_chen").exists():
        return False
    hp = _user("hp_chen")
    today = today_china()
    valued = today - dt.timedelta(days=20)
    common = dict(valuation_basis="内蒙古某评估公司 评估报告 NMPG-2026-031", valuation_date=valued, use="home")
    flats = {"5 号楼 1 单元 602 室": ("5号楼", "1-602", "89.20"), "7 号楼 2 单元 301 室": ("7号楼", "2-301", "112.60")}
    for asset in OffsetAsset.objects.filter(owner=org("housing")).order_by("id"):
        for label, (building, unit_no, area) in flats.items():
            if label in asset.name:
                actions.adopt_asset(hp, asset.pk, kind="resale", project="汇浦花园二期", building=building, unit_no=unit_no, area_m2=area,
                                    valuation_fen=asset.list_price_fen, title_no=asset.title_no, **common)
        if asset.kind == "parking":
            actions.adopt_asset(hp, asset.pk, kind="new", project="汇浦花园", building="地下车库", unit_no="B1-088", area_m2="13.50",
                                valuation_fen=asset.list_price_fen, **{**common, "use": "parking"})
    actions.add_unit(hp, kind="stalled", project="河套明珠（续建）", building="3号楼", unit_no="1102", area_m2="126.40",
                     valuation_fen=398_000_00, **common)
    flat = actions.add_unit(hp, kind="foreclosed", project="临河新城", building="12号楼", unit_no="3-501", area_m2="96.80",
                            valuation_fen=150_000_00, title_no="蒙(2024)临河区不动产权第0031877号", **common)
    # a holder of 汇浦's construction certificate takes the foreclosed flat: ¥120,000 of credit and ¥30,000 in cash
    piece = (Piece.objects.filter(certificate__debtor=org("housing"), status=PieceStatus.LIVE, amount_fen__gt=120_000_00)
             .exclude(holder=org("housing")).order_by("-amount_fen").first())
    if piece is None:
        return True
    holder = User.objects.filter(organisation_id=piece.holder_id, is_active=True).order_by("id").first()
    tx = offsetting.open_offset(holder, flat.pk)
    offsetting.add_piece(holder, tx.pk, piece.pk, 120_000_00)
    offsetting.agree(hp, tx.pk)
    actions.record_step(hp, tx.pk, "net_sign", "临河网签 2026-0456", today)
    actions.record_step(_user("op_clerk"), tx.pk, "transfer", "临河不动产登记 2026-10233", today)
    offsetting.record_top_up(hp, tx.pk, payer=holder.organisation.name, bank_ref="DEMO-TOPUP-0001", paid_on=today)
    offsetting.deliver(hp, tx.pk, delivery_doc=DEMO_PDF + b"handover 12-3-501\n", title_doc=DEMO_PDF + b"title 2026-10233\n")
    offsetting.confirm_receipt(holder, tx.pk)
    offsetting.complete(_user("op_clerk"), tx.pk)
    return True
