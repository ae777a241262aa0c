"""Offset (资产抵付 / 消费抵付) and cancellation (注销): a debtor or a housing-revitalisation entity
lists assets; the holder applies and the amount is reserved; the debtor offers assets or a
consumption scope; a price is proposed and agreed; the debtor records delivery with the documents,
the holder confirms receipt, and the operator registers the cancellation (注销登记): only then is
the agreed amount cancelled, any remainder stays live, a shortfall is paid by the holder in cash.

Each action runs in one transaction; a ``DomainError`` means nothing changed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify, notify_role
from liuzhuan.members.models import User

from ..escrow.models import EscrowScope
from ..escrow.queries import receiving_account
from ..fees.charges import charge_fee
from ..fees.models import OperationType
from ..ledger import scope
from ..ledger.checks import (
    MAX_TEXT,
    Party,
    ceiling,
    member_actor,
    party_check,
    require_standing,
    required_text,
)
from ..ledger.locks import held_certificate_id, lock_cert_and_piece, lock_piece_for_holder
from ..ledger.models import Piece, PieceStatus
from ..ledger.pieces import new_piece, reserve, settle_if_done, unfreeze
from ..ledger.rules import require_active_certificate
from ..ledger.uploads import check_upload
from . import rules
from .models import (
    CLOSABLE_OFFSET_STATUSES,
    AssetKind,
    AssetStatus,
    EvidenceKind,
    OffsetApplication,
    OffsetAsset,
    OffsetEvidence,
    OffsetKind,
    OffsetStatus,
    missing_evidence,
)
from .queries import eligible_pool


def add_asset(actor: User, *, kind: str, name: str, list_price_fen: int, location: str = "", title_no: str = "") -> OffsetAsset:
    """A debtor lists an asset for asset offset; a housing-revitalisation entity lists pool units."""
    org = member_actor(actor)
    if not org.has_any_role([Role.MEMBER, Role.HOUSING]):
        raise PermissionDenied("只有会员或存量房盘活主体可以登记抵付资产", code="role_required")
    if kind not in AssetKind.values:
        raise DomainError("asset_kind_invalid", "资产类别不正确", field="kind")
    name = required_text(name, "asset_name_required", "请填写资产名称", "name", 200)
    if list_price_fen is None or list_price_fen <= 0:
        raise DomainError("price_not_positive", "挂牌价必须大于零", field="list_price_fen")
    if list_price_fen > ceiling():
        raise DomainError("amount_too_large", f"挂牌价超过上限 {format_yuan(ceiling())}", field="list_price_fen")
    with transaction.atomic():
        asset = OffsetAsset.objects.create(owner=org, kind=kind, name=name, list_price_fen=list_price_fen,
                                           location=(location or "").strip()[:300], title_no=(title_no or "").strip()[:100], created_by=actor)
        audit.record(actor, "asset.add", asset, summary={"name": name, "kind": kind, "list_price_fen": list_price_fen, "title_no": asset.title_no})
        return asset


def withdraw_asset(actor: User, asset_id: int) -> OffsetAsset:
    member_actor(actor)
    with transaction.atomic():
        asset = OffsetAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None:
            raise NotFound("资产不存在")
        party_check(actor, {"owner": asset.owner_id}, ("owner",), "下架该资产", "资产不存在")
        if asset.status != AssetStatus.AVAILABLE:
            raise Conflict("asset_state", f"资产“{asset.name}”当前状态为“{asset.get_status_display()}”，不能下架")
        asset.status = AssetStatus.WITHDRAWN
        asset.save(update_fields=["status"])
        audit.record(actor, "asset.withdraw", asset, summary={"name": asset.name})
        return asset


def _payable(kind: str, contract_ref: str, payable_fen: int | None, due_date: dt.date | None) -> tuple[str, int | None, dt.date | None]:
    """抵偿债务: the holder's payable to the debtor (contract, amount, due date); nothing for other kinds."""
    if kind != OffsetKind.DEBT:
        return "", None, None
    contract_ref = required_text(contract_ref, "payable_contract_required", "请填写持有人对债务人应付债务的合同编号", "payable_contract_ref")
    if payable_fen is None or payable_fen <= 0:
        raise DomainError("payable_not_positive", "应付债务金额必须大于零", field="payable_fen")
    if payable_fen > ceiling():
        raise DomainError("amount_too_large", f"应付债务金额超过上限 {format_yuan(ceiling())}", field="payable_fen")
    if due_date is None:
        raise DomainError("payable_due_date_required", "请填写应付债务到期日", field="payable_due_date")
    return contract_ref, payable_fen, due_date


def apply_offset(actor: User, piece_id: int, kind: str, amount_fen: int, note: str = "", *, payable_contract_ref: str = "",
                 payable_fen: int | None = None, payable_due_date: dt.date | None = None, managed_by: str = "") -> OffsetApplication:
    """The holder applies to the debtor for asset or consumption offset, or sets the claim off
    against a debt it owes the debtor (抵偿债务: names that payable); the amount is reserved.
    ``managed_by`` names the business of another package that drives this offset (see close_offset)."""
    org = member_actor(actor)
    cert_id = held_certificate_id(piece_id, org)
    if kind not in OffsetKind.values:
        raise DomainError("offset_kind_invalid", "请选择资产抵付、消费抵付或抵偿债务", field="kind")
    payable = _payable(kind, payable_contract_ref, payable_fen, payable_due_date)
    today = today_china()
    with transaction.atomic():
        cert, piece = lock_piece_for_holder(piece_id, org, cert_id)
        if cert.debtor_id == org.pk:
            raise DomainError("holder_is_debtor", "持有人即债务人，债权因混同消灭，无需抵付")
        app = cert.application
        # 抵偿债务 is its own route (seed 一「在上下游主体间抵偿债务或换货」), not bounded by the asset/consumption scope
        agreed = True if kind == OffsetKind.DEBT else scope.manners(app.offset_scope)[0 if kind == OffsetKind.ASSET else 1]
        if not agreed:
            raise DomainError("offset_kind_not_agreed", f"凭证 {cert.number} 约定的清偿方式为“{app.settlement_label}”（可抵付范围：{app.offset_scope_label}），"
                              f"不能申请{OffsetKind(kind).label}",
                              field="kind")
        require_active_certificate(cert, "申请抵付")
        require_standing("申请抵付", Party(org.pk, "持有人"), Party(cert.debtor_id, "债务人"))
        reserved = reserve(cert, piece, amount_fen, PieceStatus.OFFSETTING, "抵付")
        off = OffsetApplication.objects.create(
            number=next_number("DF", today.year), kind=kind, certificate=cert, piece=reserved, holder=org, debtor=cert.debtor,
            amount_fen=reserved.amount_fen, note=(note or "").strip()[:MAX_TEXT], applied_by=actor,
            payable_contract_ref=payable[0], payable_fen=payable[1], payable_due_date=payable[2],
            # 抵偿债务: the lesser of the reserved claim and the payable is set off; no cash top-up
            price_fen=min(reserved.amount_fen, payable[1]) if kind == OffsetKind.DEBT else None,
            managed_by=managed_by[:60],
        )
        audit.record(actor, "piece.offset_apply", off, summary={
            "number": off.number, "kind": kind, "piece": piece.number, "reserved_piece": reserved.number, "amount_fen": off.amount_fen,
            **({"payable_contract_ref": payable[0], "payable_fen": payable[1], "payable_due_date": payable[2].isoformat()}
               if kind == OffsetKind.DEBT else {})})
        ask = {OffsetKind.ASSET: "提供可选资产清单", OffsetKind.CONSUMPTION: "提供可选消费范围",
               OffsetKind.DEBT: f"核对其对贵方的应付债务（合同 {payable[0]}，{format_yuan(payable[1] or 0)}）及证明材料后确认抵偿"}[kind]
        notify(cert.debtor, f"{off.get_kind_display()}申请：{format_yuan(off.amount_fen)}", (
            f"{org.name} 以凭证 {cert.number} 项下债权 {format_yuan(off.amount_fen)} 申请{off.get_kind_display()}。请核查持有人身份及债权状态后"
            f"{ask}。"), obj=off)
        return off


def _lock_offset(offset_id: int, actor: User, allowed: tuple[str, ...], what: str):
    row = OffsetApplication.objects.filter(pk=offset_id).values("certificate_id", "piece_id", "holder_id", "debtor_id").first()
    if row is None:
        raise NotFound("抵付申请不存在")
    side = party_check(actor, {"holder": row["holder_id"], "debtor": row["debtor_id"]}, allowed, what, "抵付申请不存在")
    cert, piece = lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    off = OffsetApplication.objects.select_for_update(of=("self",)).select_related("holder", "debtor").get(pk=offset_id)
    return cert, piece, off, side


def _require_offset_status(off: OffsetApplication, *statuses: str, what: str) -> None:
    if off.status not in statuses:
        raise Conflict("offset_state", f"抵付申请 {off.number} 当前状态为“{off.get_status_display()}”，不能{what}")


def offer_offset_options(actor: User, offset_id: int, *, asset_ids: list[int] | None = None, consumption_scope: str = "") -> OffsetApplication:
    """The debtor checks the holder and the piece, then offers a list of assets or a consumption scope."""
    member_actor(actor)
    with transaction.atomic():
        cert, piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "提供抵付清单")
        _require_offset_status(off, OffsetStatus.APPLIED, OffsetStatus.OPTIONS_OFFERED, what="提供清单")
        if off.kind == OffsetKind.DEBT:
            raise Conflict("offset_kind_debt", f"抵付申请 {off.number} 为抵偿债务，由债务人确认抵偿，无需提供清单")
        if piece.status != PieceStatus.OFFSETTING or piece.holder_id != off.holder_id:  # pragma: no cover - locked
            raise Conflict("piece_state", f"凭证分段 {piece.number} 状态异常，不能办理抵付")
        require_standing("办理抵付", Party(off.holder_id, "持有人"), Party(off.debtor_id, "债务人"))
        if off.kind == OffsetKind.ASSET:
            ids = sorted(set(asset_ids or []))
            if not ids:
                raise DomainError("assets_required", "请至少选择一项可抵付资产", field="asset_ids")
            assets = list(eligible_pool(off.debtor_id).filter(pk__in=ids))
            if len(assets) != len(ids):
                raise DomainError("asset_not_eligible", "所选资产须为债务人本机构或存量房盘活主体名下、当前可抵付的资产", field="asset_ids")
            agreed_scope = cert.application.offset_scope
            for asset in assets:
                scope.require_in_scope(agreed_scope, asset.kind, f"资产“{asset.name}”", "asset_ids")
            off.offered_assets.set(assets)
            summary = {"assets": ids}
        else:
            off.consumption_scope = required_text(consumption_scope, "scope_required", "请填写可消费范围", "consumption_scope", MAX_TEXT)
            summary = {"scope": off.consumption_scope}
        off.status = OffsetStatus.OPTIONS_OFFERED
        off.checked_by = actor
        off.checked_at = timezone.now()
        off.save()
        audit.record(actor, "piece.offset_options", off, summary={"number": off.number, **summary})
        notify(off.holder, f"债务人已提供{'资产清单' if off.kind == OffsetKind.ASSET else '消费范围'}：{off.number}", "请与债务人商定抵付价款。", obj=off)
        return off


def propose_offset_price(actor: User, offset_id: int, price_fen: int, asset_id: int | None = None) -> OffsetApplication:
    """Either party proposes the offset price (and, for asset offset, the chosen asset); the other confirms."""
    org = member_actor(actor)
    with transaction.atomic():
        cert, _piece, off, side = _lock_offset(offset_id, actor, ("holder", "debtor"), "商定抵付价款")
        _require_offset_status(off, OffsetStatus.OPTIONS_OFFERED, OffsetStatus.PRICE_PROPOSED, what="商定价款")
        if price_fen is None or price_fen <= 0:
            raise DomainError("price_not_positive", "抵付价款必须大于零", field="price_fen")
        if price_fen > ceiling():
            raise DomainError("price_too_large", f"抵付价款超过上限 {format_yuan(ceiling())}", field="price_fen")
        asset = None
        if off.kind == OffsetKind.ASSET:
            asset = off.offered_assets.filter(pk=asset_id).first() if asset_id else None
            if asset is None:
                raise DomainError("asset_not_offered", "请从债务人提供的资产清单中选择资产", field="asset_id")
            if asset.status != AssetStatus.AVAILABLE:
                raise DomainError("asset_unavailable", f"资产“{asset.name}”当前状态为“{asset.get_status_display()}”", field="asset_id")
            scope.require_in_scope(cert.application.offset_scope, asset.kind, f"资产“{asset.name}”", "asset_id")
        off.price_fen = price_fen
        off.asset = asset
        off.proposed_by_org = org
        off.status = OffsetStatus.PRICE_PROPOSED
        off.save()
        audit.record(actor, "piece.offset_propose", off, summary={"number": off.number, "price_fen": price_fen, "asset": asset_id, "by": side})
        notify(off.debtor if side == "holder" else off.holder, f"抵付价款待确认：{off.number}",
               f"{org.name} 提出抵付价款 {format_yuan(price_fen)}" + (f"（资产：{asset.name}）" if asset else "") + "。", obj=off)
        return off


def accept_offset_price(actor: User, offset_id: int) -> OffsetApplication:
    """The other party confirms the proposed price; a chosen asset is reserved for this offset."""
    org = member_actor(actor)
    with transaction.atomic():
        _cert, _piece, off, side = _lock_offset(offset_id, actor, ("holder", "debtor"), "确认抵付价款")
        _require_offset_status(off, OffsetStatus.PRICE_PROPOSED, what="确认价款")
        if off.proposed_by_org_id == org.pk:
            raise DomainError("own_proposal", "价款由本方提出，须由对方确认")
        if off.asset_id:
            changed = OffsetAsset.objects.filter(pk=off.asset_id, status=AssetStatus.AVAILABLE).update(status=AssetStatus.RESERVED)
            if changed != 1:
                raise Conflict("asset_unavailable", "所选资产已被其他抵付占用，请重新商定")
        off.status = OffsetStatus.AGREED
        off.agreed_by = actor
        off.agreed_at = timezone.now()
        off.save()
        outcome = rules.offset_outcome(off.amount_fen, off.price_fen)
        audit.record(actor, "piece.offset_agree", off, summary={
            "number": off.number, "price_fen": off.price_fen, "asset": off.asset_id, "by": side,
            "offset_fen": outcome.offset_fen, "remainder_fen": outcome.remainder_fen, "top_up_fen": outcome.top_up_fen})
        notify(off.debtor if side == "holder" else off.holder, f"抵付价款已商定：{off.number}", (
            f"价款 {format_yuan(off.price_fen)}：注销债权 {format_yuan(outcome.offset_fen)}"
            + (f"，剩余 {format_yuan(outcome.remainder_fen)} 继续持有" if outcome.remainder_fen else "")
            + (f"，持有人须以货币资金补足 {format_yuan(outcome.top_up_fen)}" if outcome.top_up_fen else "") + "。"), obj=off)
        return off


def agree_pooled_offset(actor: User, offset_ids: list[int], asset_id: int) -> list[OffsetApplication]:
    """Several asset offsets (possibly of several holders) pooled for one asset the debtor itself
    lists — a housing-revitalisation entity's unit taken with certificate credit (housing app).
    The debtor offers that asset and agrees a price equal to each reserved amount (the whole
    reserved piece is cancelled; any shortfall of the asset's price is settled by the pool's own
    cash top-up record). The asset is, or becomes, reserved; delivery, receipt and the operator's
    cancellation then run per offset as usual."""
    org = member_actor(actor)
    ids = sorted(set(offset_ids))
    if not ids:
        raise DomainError("offsets_required", "请至少选择一笔抵付申请", field="offset_ids")
    asset = OffsetAsset.objects.filter(pk=asset_id, owner=org).first()
    if asset is None:
        raise DomainError("asset_not_eligible", "所选资产须为本机构名下的资产", field="asset_id")
    with transaction.atomic():
        locked = []
        for offset_id in ids:  # certificate, piece, offset first: the order every offset action locks in
            cert, _piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "商定抵付")
            _require_offset_status(off, OffsetStatus.APPLIED, what="商定抵付")
            if off.kind != OffsetKind.ASSET:
                raise Conflict("offset_kind", f"抵付申请 {off.number} 不是资产抵付")
            require_standing("办理抵付", Party(off.holder_id, "持有人"), Party(off.debtor_id, "债务人"))
            scope.require_in_scope(cert.application.offset_scope, asset.kind, f"资产“{asset.name}”", "asset_id")
            locked.append(off)
        asset = OffsetAsset.objects.select_for_update().get(pk=asset.pk)
        if asset.status == AssetStatus.AVAILABLE:
            asset.status = AssetStatus.RESERVED
            asset.save(update_fields=["status"])
        elif asset.status != AssetStatus.RESERVED:
            raise Conflict("asset_unavailable", f"资产“{asset.name}”当前状态为“{asset.get_status_display()}”")
        done = []
        now = timezone.now()
        for off in locked:
            off.offered_assets.set([asset])
            off.asset, off.price_fen, off.proposed_by_org = asset, off.amount_fen, org
            off.status = OffsetStatus.AGREED
            off.checked_by = off.agreed_by = actor
            off.checked_at = off.agreed_at = now
            off.save()
            audit.record(actor, "piece.offset_agree", off, summary={
                "number": off.number, "price_fen": off.price_fen, "asset": asset.pk, "by": "debtor", "pooled": True,
                "offset_fen": off.amount_fen, "remainder_fen": 0, "top_up_fen": 0})
            notify(off.holder, f"抵付已商定：{off.number}", f"以债权 {format_yuan(off.amount_fen)} 抵付资产“{asset.name}”的相应价款。", obj=off)
            done.append(off)
        return done


def add_offset_evidence(actor: User, offset_id: int, kind: str, name: str, content: bytes) -> OffsetEvidence:
    """The debtor or the holder uploads a document (delivery confirmation, title-transfer
    registration, consumption settlement, top-up proof): PDF/PNG/JPEG by content, SHA-256 kept.
    Only while delivery is being recorded or awaits the holder (抵偿债务: while the debtor has not
    confirmed); after that the record is closed."""
    member_actor(actor)
    if kind not in EvidenceKind.values:
        raise DomainError("evidence_kind_invalid", "请选择证明材料类别", field="kind")
    upload = check_upload(content, "证明材料")
    with transaction.atomic():
        _cert, _piece, off, side = _lock_offset(offset_id, actor, ("debtor", "holder"), "上传证明材料")
        if off.kind == OffsetKind.DEBT:  # the payable's contract goes with the application, before the debtor confirms
            _require_offset_status(off, OffsetStatus.APPLIED, what="上传证明材料")
        else:
            _require_offset_status(off, OffsetStatus.AGREED, OffsetStatus.DELIVERED, what="上传证明材料")
        if off.evidence.filter(sha256=upload.sha256).exists():
            raise DomainError("file_duplicate", "相同内容的材料已上传", field="file")
        stored = upload.save(f"offsets/{off.number}")
        ev = OffsetEvidence.objects.create(offset=off, kind=kind, file=stored, original_name=(name or f"材料.{upload.ext}")[:200],
                                           content_type=upload.content_type, size=upload.size, sha256=upload.sha256, uploaded_by=actor)
        audit.record(actor, "piece.offset_evidence", off, summary={
            "number": off.number, "kind": kind, "file": ev.original_name, "sha256": ev.sha256, "size": ev.size, "by": side})
        return ev


def record_offset_delivery(actor: User, offset_id: int, *, delivery_ref: str, title_registration_ref: str = "", settlement_ref: str = "",
                           cash_top_up_ref: str = "", cash_top_up_date: dt.date | None = None,
                           cash_top_up_account_no: str = "") -> OffsetApplication:
    """The debtor records delivery and title registration (asset) or the settlement (consumption),
    with the documents uploaded; the holder then confirms receipt. Nothing is cancelled yet."""
    member_actor(actor)
    delivery_ref = required_text(delivery_ref, "delivery_required", "请填写交付确认编号", "delivery_ref")
    today = today_china()
    with transaction.atomic():
        _cert, piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "登记交付")
        _require_offset_status(off, OffsetStatus.AGREED, what="登记交付")
        require_standing("办理抵付", Party(off.holder_id, "持有人"), Party(off.debtor_id, "债务人"))
        if off.kind == OffsetKind.ASSET:
            off.title_registration_ref = required_text(title_registration_ref, "title_registration_required",
                                                       "请填写资产权属转移登记编号", "title_registration_ref")
        else:
            off.settlement_ref = required_text(settlement_ref, "settlement_required", "请填写消费结算单号", "settlement_ref")
        outcome = rules.offset_outcome(piece.amount_fen, off.price_fen)
        if outcome.top_up_fen:
            off.cash_top_up_ref = required_text(cash_top_up_ref, "top_up_required",
                                                f"抵付价款高于债权金额，请填写持有人补足 {format_yuan(outcome.top_up_fen)} 的银行流水号", "cash_top_up_ref", 60)
            if cash_top_up_date is None or cash_top_up_date > today:
                raise DomainError("top_up_date_invalid", "请填写补足款到账日期（不能晚于今天）", field="cash_top_up_date")
            off.cash_top_up_date = cash_top_up_date
            # 资金监管: while an agreement covers top-ups, the payment must have gone to its account
            off.cash_top_up_account = receiving_account(EscrowScope.OFFSET_TOP_UP, cash_top_up_account_no, cash_top_up_date,
                                                        "cash_top_up_account_no")
        off.cash_top_up_fen = outcome.top_up_fen
        missing = missing_evidence(off.kind, set(off.evidence.values_list("kind", flat=True)), outcome.top_up_fen)
        if missing:
            raise DomainError("evidence_required", f"请先上传证明材料：{'、'.join(EvidenceKind(k).label for k in missing)}",
                              field="file")
        off.status = OffsetStatus.DELIVERED
        off.delivery_ref = delivery_ref
        off.delivered_by = actor
        off.delivered_at = timezone.now()
        off.returned_reason = ""
        off.save()
        audit.record(actor, "piece.offset_deliver", off, summary={
            "number": off.number, "delivery_ref": delivery_ref, "title_registration_ref": off.title_registration_ref,
            "settlement_ref": off.settlement_ref, "cash_top_up_ref": off.cash_top_up_ref,
            "cash_top_up_account": off.cash_top_up_account.account_no if off.cash_top_up_account_id else None,
            "evidence": sorted(off.evidence.values_list("sha256", flat=True))})
        notify(off.holder, f"请确认抵付交付：{off.number}", (
            f"{off.debtor.name} 已登记{'资产交付及权属转移登记' if off.kind == OffsetKind.ASSET else '消费结算'}（{delivery_ref}）"
            "并上传证明材料。请核对后确认收到，或说明理由退回。"), obj=off)
        return off


def confirm_offset_receipt(actor: User, offset_id: int) -> OffsetApplication:
    """The holder confirms it received the asset (and its title) or the consumption; the operator
    then registers the cancellation."""
    member_actor(actor)
    with transaction.atomic():
        _cert, _piece, off, _ = _lock_offset(offset_id, actor, ("holder",), "确认收到")
        _require_offset_status(off, OffsetStatus.DELIVERED, what="确认收到")
        off.status = OffsetStatus.RECEIVED
        off.received_by = actor
        off.received_at = timezone.now()
        off.save()
        audit.record(actor, "piece.offset_receipt", off, summary={"number": off.number, "delivery_ref": off.delivery_ref})
        notify(off.debtor, f"持有人已确认收到：{off.number}", "待债权管理服务机构办理注销登记。", obj=off)
        notify_role(Role.OPERATOR, f"抵付待注销登记：{off.number}", (
            f"{off.holder.name} 已确认收到 {off.debtor.name} 的{off.get_kind_display()}（价款 {format_yuan(off.price_fen)}），"
            "请核对证明材料后办理注销登记。"), obj=off)
        return off


def confirm_debt_setoff(actor: User, offset_id: int) -> OffsetApplication:
    """抵偿债务: the debtor confirms the holder's payable to it and the set-off. The holder's
    application with the payable's contract on file is the holder's side; the operator then
    registers the cancellation, and the holder's payable is reduced by the same amount."""
    member_actor(actor)
    with transaction.atomic():
        _cert, _piece, off, _ = _lock_offset(offset_id, actor, ("debtor",), "确认抵偿债务")
        if off.kind != OffsetKind.DEBT:
            raise Conflict("offset_kind", f"抵付申请 {off.number} 为{off.get_kind_display()}，须登记交付")
        _require_offset_status(off, OffsetStatus.APPLIED, what="确认抵偿债务")
        require_standing("办理抵付", Party(off.holder_id, "持有人"), Party(off.debtor_id, "债务人"))
        missing = missing_evidence(off.kind, set(off.evidence.values_list("kind", flat=True)))
        if missing:
            raise DomainError("evidence_required", f"持有人尚未上传证明材料：{'、'.join(EvidenceKind(k).label for k in missing)}", field="file")
        now = timezone.now()
        off.status = OffsetStatus.RECEIVED
        off.delivery_ref = off.payable_contract_ref  # the instrument set off: the holder's payable contract
        off.delivered_by, off.delivered_at = actor, now  # the debtor's confirmation
        off.received_by, off.received_at = off.applied_by, off.applied_at  # the holder's side: its application
        off.checked_by, off.checked_at = actor, now
        off.agreed_by, off.agreed_at = actor, now
        off.returned_reason = ""
        off.save()
        audit.record(actor, "piece.offset_debt_confirm", off, summary={
            "number": off.number, "payable_contract_ref": off.payable_contract_ref, "payable_fen": off.payable_fen, "offset_fen": off.price_fen,
            "evidence": sorted(off.evidence.values_list("sha256", flat=True))})
        notify(off.holder, f"债务人已确认抵偿债务：{off.number}", "待债权管理服务机构办理注销登记。", obj=off)
        notify_role(Role.OPERATOR, f"抵偿债务待注销登记：{off.number}", (
            f"{off.debtor.name} 已确认以 {off.holder.name} 的应付债务（合同 {off.payable_contract_ref}）抵偿凭证债权 {format_yuan(off.price_fen)}，"
            "请核对证明材料后办理注销登记。"), obj=off)
        return off


def return_offset_delivery(actor: User, offset_id: int, reason: str) -> OffsetApplication:
    """Back to the debtor for correction: the holder before confirming (not received as recorded),
    or the operator before registering (evidence insufficient). Reason required."""
    require_write_access(actor)
    reason = required_text(reason, "reason_required", "请说明退回理由", "reason", MAX_TEXT)
    with transaction.atomic():
        holder_id = OffsetApplication.objects.filter(pk=offset_id).values_list("holder_id", flat=True).first()
        if actor.organisation.has_role(Role.OPERATOR) and actor.organisation_id != holder_id:
            # the operator's return; a holder that is also an operator returns as the holder
            _cert, _piece, off = _lock_offset_for_operator(offset_id, actor)
            _require_offset_status(off, OffsetStatus.RECEIVED, what="退回补正")
            if off.is_counter:  # the merchant's order is settled: nothing is left for it to correct
                raise Conflict("counter_offset_settled", f"抵付申请 {off.number} 为特约商户柜台消费抵付，结算单由平台生成、消费已完成，"
                                                         "不退回补正；核对无误后请办理注销登记")
            by = "operator"
            if off.kind == OffsetKind.DEBT:  # back to the debtor's confirmation; the holder may add documents
                off.delivered_by, off.delivered_at, off.delivery_ref = None, None, ""
        else:
            member_actor(actor)
            _cert, _piece, off, by = _lock_offset(offset_id, actor, ("holder",), "退回交付登记")
            _require_offset_status(off, OffsetStatus.DELIVERED, what="退回交付登记")
        off.status = OffsetStatus.APPLIED if off.kind == OffsetKind.DEBT else OffsetStatus.AGREED
        off.returned_reason = reason
        off.received_by = None
        off.received_at = None
        off.save()
        audit.record(actor, "piece.offset_return", off, summary={"number": off.number, "reason": reason, "by": by})
        notify(off.debtor, f"抵付交付登记被退回：{off.number}", reason, obj=off)
        if by == "operator":
            notify(off.holder, f"抵付交付登记被退回：{off.number}", reason, obj=off)
        return off


def _lock_offset_for_operator(offset_id: int, actor: User):
    require_role(actor, Role.OPERATOR)
    row = OffsetApplication.objects.filter(pk=offset_id).values("certificate_id", "piece_id", "holder_id", "debtor_id").first()
    if row is None:
        raise NotFound("抵付申请不存在")
    if actor.organisation_id in (row["holder_id"], row["debtor_id"]):
        raise PermissionDenied("运营机构不能为本机构作为一方的抵付办理注销登记", code="self_review")
    cert, piece = lock_cert_and_piece(row["certificate_id"], row["piece_id"])
    off = OffsetApplication.objects.select_for_update(of=("self",)).select_related("holder", "debtor").get(pk=offset_id)
    return cert, piece, off


def register_offset_cancellation(actor: User, offset_id: int) -> OffsetApplication:
    """注销登记 by the operator (债权管理服务机构, seed 二(一)1), after the holder confirmed receipt:
    the agreed amount is cancelled, any remainder stays live with the holder, a shortfall paid by
    the holder in cash is on record; registration number, who and when are kept."""
    today = today_china()
    with transaction.atomic():
        cert, piece, off = _lock_offset_for_operator(offset_id, actor)
        _require_offset_status(off, OffsetStatus.RECEIVED, what="办理注销登记")
        require_standing("办理抵付注销", Party(off.holder_id, "持有人"), Party(off.debtor_id, "债务人"))
        # defence in depth: checked when delivery was recorded, and evidence is never deleted
        if missing_evidence(off.kind, set(off.evidence.values_list("kind", flat=True)),
                            off.cash_top_up_fen):  # pragma: no cover
            raise DomainError("evidence_required", "证明材料不全，不能办理注销登记")
        outcome = rules.offset_outcome(piece.amount_fen, off.price_fen)
        now = timezone.now()
        if outcome.remainder_fen == 0:
            Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.OFFSET, ended_at=now)
            offset_piece, remainder = piece, None
        else:
            Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.SPLIT, ended_at=now)
            offset_piece = new_piece(cert, parent=piece, holder=off.holder, amount_fen=outcome.offset_fen, status=PieceStatus.OFFSET, origin="offset")
            Piece.objects.filter(pk=offset_piece.pk).update(ended_at=now)
            remainder = new_piece(cert, parent=piece, holder=off.holder, amount_fen=outcome.remainder_fen, status=PieceStatus.LIVE, origin="split")
            cert.save(update_fields=["piece_count"])
        if off.asset_id:
            OffsetAsset.objects.filter(pk=off.asset_id).update(status=AssetStatus.DELIVERED)
        off.status = OffsetStatus.COMPLETED
        off.cancellation_no = next_number("ZX", today.year)
        off.completed_by = actor
        off.completed_at = now
        off.offset_fen = outcome.offset_fen
        off.offset_piece = offset_piece
        off.remainder_piece = remainder
        off.fee_fen = charge_fee(OperationType.OFFSET, cert, base_fen=outcome.offset_fen, payer_a=off.holder, payer_b=off.debtor,
                                 reference=off.number, today=today)
        off.save()
        settled = settle_if_done(actor, cert)
        audit.record(actor, "piece.offset_complete", off, summary={
            "number": off.number, "cancellation_no": off.cancellation_no, "kind": off.kind, "piece": piece.number,
            "offset_piece": offset_piece.number, "remainder_piece": remainder.number if remainder else None, "price_fen": off.price_fen,
            "offset_fen": outcome.offset_fen, "remainder_fen": outcome.remainder_fen, "top_up_fen": outcome.top_up_fen,
            "delivery_ref": off.delivery_ref, "title_registration_ref": off.title_registration_ref, "settlement_ref": off.settlement_ref,
            "cash_top_up_ref": off.cash_top_up_ref, "received_by": off.received_by_id, "fee_fen": off.fee_fen, "certificate_settled": settled,
        })
        text = (f"注销登记 {off.cancellation_no}：已注销债权 {format_yuan(outcome.offset_fen)}"
                + (f"，剩余 {format_yuan(outcome.remainder_fen)} 为分段 {remainder.number}，可继续流转或再次申请抵付" if remainder else "")
                + (f"，补足款 {format_yuan(outcome.top_up_fen)} 已记录" if outcome.top_up_fen else "") + "。")
        notify(off.holder, f"{off.get_kind_display()}已完成：{off.number}", text, obj=off)
        notify(off.debtor, f"{off.get_kind_display()}已注销登记：{off.number}", text, obj=off)
        return off


def register_offset_cancellations(actor: User, offset_ids: list[int]) -> list[OffsetApplication]:
    """Several 注销登记 at once (a day's counter settlements): all or none. Certificates are locked
    in one order so two clerks' overlapping batches wait for each other instead of deadlocking."""
    ids = sorted(set(offset_ids or []))
    if not ids:
        raise DomainError("nothing_selected", "请选择要办理注销登记的抵付申请", field="offset_ids")
    if len(ids) > MAX_BATCH_REGISTRATIONS:
        raise DomainError("too_many", f"一次最多办理 {MAX_BATCH_REGISTRATIONS} 笔", field="offset_ids")
    order = dict(OffsetApplication.objects.filter(pk__in=ids).values_list("pk", "certificate_id"))
    with transaction.atomic():
        return [register_offset_cancellation(actor, pk) for pk in sorted(ids, key=lambda pk: (order.get(pk, 0), pk))]


MAX_BATCH_REGISTRATIONS = 200


def close_offset(actor: User, offset_id: int, reason: str = "", *, managed: bool = False) -> OffsetApplication:
    """Before completion the debtor refuses (reason required) or the holder withdraws; the piece
    is live again and a reserved asset is available again. An offset another package drives
    (``managed_by``: a pooled housing transaction, a merchant's order) closes only through that
    package (``managed=True``): closed alone it would free a unit still reserved for the pool, or
    leave an order waiting on credit that is live again."""
    member_actor(actor)
    with transaction.atomic():
        _cert, piece, off, side = _lock_offset(offset_id, actor, ("debtor", "holder"), "处理抵付申请")
        _require_offset_status(off, *CLOSABLE_OFFSET_STATUSES, what="撤回或不予办理")
        if off.managed_by and not managed:
            raise Conflict("managed_offset", f"抵付申请 {off.number} 属于{off.managed_by}，请在该业务中整体撤销或不予办理")
        reason = (reason or "").strip()[:MAX_TEXT]
        if side == "debtor" and not reason:
            raise DomainError("reason_required", "不予办理时必须说明理由", field="reason")
        unfreeze(piece, PieceStatus.OFFSETTING)
        if off.status == OffsetStatus.AGREED and off.asset_id:
            OffsetAsset.objects.filter(pk=off.asset_id, status=AssetStatus.RESERVED).update(status=AssetStatus.AVAILABLE)
        off.status = OffsetStatus.REFUSED if side == "debtor" else OffsetStatus.WITHDRAWN
        off.closed_reason = reason
        off.save()
        audit.record(actor, f"piece.offset_{off.status}", off, summary={"number": off.number, "piece": piece.number, "reason": reason})
        notify(off.holder if side == "debtor" else off.debtor, f"抵付申请{off.get_status_display()}：{off.number}", reason, obj=off)
        return off
