"""Housing actions: the pool (add, revalue, withdraw a unit), the registration checklist, and the
three scenarios without certificate credit — 房产移交 (handover; its value becomes a certificate
through the normal issuance path), 房产换回 (exchange back) and 房产现金销售 (cash sale) — plus
completing and cancelling any transaction. 凭证抵付 is in ``offsetting.py``.

Each public function checks who is acting, validates, locks (the transaction, then the unit, then
its certificates asset), writes and appends an audit event in one ``transaction.atomic()``; a
``DomainError`` means nothing changed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.issuance.models import ApplicationStatus
from liuzhuan.certificates.ledger.checks import MAX_TEXT, ceiling, member_org, required_text
from liuzhuan.certificates.offset.models import AssetStatus, OffsetAsset
from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.money import format_yuan
from liuzhuan.core.numbers import next_number
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify
from liuzhuan.members.models import Organisation, User

from . import rules
from .models import (
    ASSET_KIND_OF_USE,
    HousingTransaction,
    RegistrationStep,
    StepKind,
    TxKind,
    TxStatus,
    Unit,
    UnitKind,
    UnitStatus,
    UnitUse,
)

# ---------------------------------------------------------------- who may act


def housing_actor(actor: User) -> Organisation:
    """The pool is run by a housing-revitalisation entity (存量房盘活主体)."""
    require_write_access(actor)
    require_role(actor, Role.HOUSING)
    return actor.organisation


def require_managed(obj_manager_id: int, actor: User, not_found: str) -> None:
    """Another housing entity's unit or transaction: 404; a visible one (oversight) acted on: 403."""
    if obj_manager_id == actor.organisation_id:
        return
    if actor.organisation.has_any_role([Role.OPERATOR, Role.REGULATOR, Role.BUREAU]):
        raise PermissionDenied("只有管理该房源的存量房盘活主体可以办理", code="wrong_party")
    raise NotFound(not_found)


def lock_tx(tx_id: int) -> HousingTransaction:
    tx = HousingTransaction.objects.select_for_update(of=("self",)).select_related("unit", "counterparty").filter(pk=tx_id).first()
    if tx is None:
        raise NotFound("盘活业务不存在")
    return tx


def lock_unit(unit_id: int) -> Unit:
    unit = Unit.objects.select_for_update().filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("房源不存在")
    return unit


def require_tx_status(tx: HousingTransaction, *statuses: str, what: str) -> None:
    if tx.status not in statuses:
        raise Conflict("housing_tx_state", f"盘活业务 {tx.number} 当前状态为“{tx.get_status_display()}”，不能{what}")


# ---------------------------------------------------------------- units


def _money(value: int | None, field: str, label: str) -> int:
    if value is None or value <= 0:
        raise DomainError(f"{field}_not_positive", f"{label}必须大于零", field=field)
    if value > ceiling():
        raise DomainError("amount_too_large", f"{label}超过上限 {format_yuan(ceiling())}", field=field)
    return value


def _area(value) -> Decimal:
    try:
        area = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("area_invalid", "建筑面积须为数字（平方米）", field="area_m2") from None
    if area <= 0 or area >= Decimal("10000000"):
        raise DomainError("area_invalid", "建筑面积须大于零且小于一千万平方米", field="area_m2")
    return area


def _unit_fields(data: dict, today: dt.date) -> dict:
    if data.get("kind") not in UnitKind.values:
        raise DomainError("unit_kind_invalid", "请选择房源类型（一手房、二手房、烂尾楼、抵债房）", field="kind")
    if data.get("use", UnitUse.HOME) not in UnitUse.values:
        raise DomainError("unit_use_invalid", "请选择用途", field="use")
    valued = data.get("valuation_date")
    if valued is None or valued > today:
        raise DomainError("valuation_date_invalid", "请填写评估日期（不能晚于今天）", field="valuation_date")
    return {
        "kind": data["kind"], "use": data.get("use", UnitUse.HOME),
        "project": required_text(data.get("project"), "project_required", "请填写项目名称", "project", 100),
        "building": required_text(data.get("building"), "building_required", "请填写楼栋", "building", 30),
        "unit_no": required_text(data.get("unit_no"), "unit_no_required", "请填写房号", "unit_no", 30),
        "area_m2": _area(data.get("area_m2")),
        "valuation_fen": _money(data.get("valuation_fen"), "valuation_fen", "评估价值"),
        "valuation_basis": required_text(data.get("valuation_basis"), "valuation_basis_required", "请填写评估依据", "valuation_basis", 200),
        "valuation_date": valued,
        "title_no": (data.get("title_no") or "").strip()[:100],
        "mortgaged": bool(data.get("mortgaged")),
        "encumbrances": (data.get("encumbrances") or "").strip()[:300],
    }


def _require_free_address(fields: dict) -> None:
    if Unit.objects.filter(project=fields["project"], building=fields["building"], unit_no=fields["unit_no"]).exists():
        raise DomainError("unit_exists", f"房源 {fields['project']} {fields['building']} {fields['unit_no']} 已登记", field="unit_no")


def _new_asset(unit: Unit, actor: User) -> OffsetAsset:
    return OffsetAsset.objects.create(owner=unit.manager, kind=ASSET_KIND_OF_USE[unit.use], name=f"{unit.number} {unit.address}"[:200],
                                      location=unit.address[:300], title_no=unit.title_no, list_price_fen=unit.valuation_fen,
                                      created_by=actor)


def add_unit(actor: User, owner_id: int | None = None, **data) -> Unit:
    """The housing entity puts a unit it already manages into the pool (its own stock, or stock
    taken over before the system): listed at once, offered for certificate offset."""
    org = housing_actor(actor)
    fields = _unit_fields(data, today_china())
    owner = org if owner_id in (None, org.pk) else member_org(owner_id, "owner_id", "原权利人")
    with transaction.atomic():
        _require_free_address(fields)
        unit = Unit(number=next_number("FY", today_china().year), owner=owner, manager=org, created_by=actor,
                    status=UnitStatus.IN_POOL, **fields)
        unit.asset = _new_asset(unit, actor)
        unit.save(force_insert=True)
        audit.record(actor, "housing.unit_add", unit, summary={
            "number": unit.number, "kind": unit.kind, "address": unit.address, "area_m2": str(unit.area_m2),
            "valuation_fen": unit.valuation_fen, "asset": unit.asset_id})
        return unit


def adopt_asset(actor: User, asset_id: int, **data) -> Unit:
    """Fold an asset the housing entity listed in the flat certificates asset list (before the
    pool existed) into the pool: the same ``OffsetAsset`` row becomes the unit's, so offsets
    that named it keep pointing at it. A listed asset enters the pool at the valuation given
    (its list price follows); one already delivered by an offset is recorded as sold."""
    org = housing_actor(actor)
    fields = _unit_fields(data, today_china())
    with transaction.atomic():
        asset = OffsetAsset.objects.select_for_update().filter(pk=asset_id, owner=org).first()
        if asset is None:
            raise NotFound("资产不存在")
        if Unit.objects.filter(asset=asset).exists():
            raise Conflict("asset_adopted", f"资产“{asset.name}”已纳入房源池")
        status = {AssetStatus.AVAILABLE: UnitStatus.IN_POOL, AssetStatus.DELIVERED: UnitStatus.SOLD}.get(asset.status)
        if status is None:
            raise Conflict("asset_state", f"资产“{asset.name}”当前状态为“{asset.get_status_display()}”，办结后再纳入房源池")
        _require_free_address(fields)
        unit = Unit.objects.create(number=next_number("FY", today_china().year), owner=org, manager=org, created_by=actor, status=status,
                                   asset=asset, **fields)
        if status == UnitStatus.IN_POOL:
            asset.list_price_fen = unit.valuation_fen
            asset.save(update_fields=["list_price_fen"])
        audit.record(actor, "housing.unit_adopt", unit, summary={"number": unit.number, "asset": asset.pk, "status": status,
                                                                 "valuation_fen": unit.valuation_fen})
        return unit


def revalue_unit(actor: User, unit_id: int, valuation_fen: int, basis: str, valued_on: dt.date) -> Unit:
    """A new valuation while the unit is in the pool; the offset asset's list price follows."""
    housing_actor(actor)
    valuation_fen = _money(valuation_fen, "valuation_fen", "评估价值")
    basis = required_text(basis, "valuation_basis_required", "请填写评估依据", "valuation_basis", 200)
    if valued_on is None or valued_on > today_china():
        raise DomainError("valuation_date_invalid", "请填写评估日期（不能晚于今天）", field="valuation_date")
    with transaction.atomic():
        unit = lock_unit(unit_id)
        require_managed(unit.manager_id, actor, "房源不存在")
        if unit.status != UnitStatus.IN_POOL:
            raise Conflict("unit_state", f"房源 {unit.number} 当前状态为“{unit.get_status_display()}”，不能重新评估")
        before = unit.valuation_fen
        unit.valuation_fen, unit.valuation_basis, unit.valuation_date = valuation_fen, basis, valued_on
        unit.save(update_fields=["valuation_fen", "valuation_basis", "valuation_date"])
        if OffsetAsset.objects.filter(pk=unit.asset_id, status=AssetStatus.AVAILABLE).update(list_price_fen=valuation_fen) != 1:
            raise Conflict("asset_unavailable", f"房源 {unit.number} 正在证书抵付中办理，不能重新评估")
        audit.record(actor, "housing.unit_revalue", unit, summary={"number": unit.number, "from_fen": before, "to_fen": valuation_fen,
                                                                   "basis": basis})
        return unit


def withdraw_unit(actor: User, unit_id: int, reason: str) -> Unit:
    housing_actor(actor)
    reason = required_text(reason, "reason_required", "请说明退出理由", "reason", MAX_TEXT)
    with transaction.atomic():
        unit = lock_unit(unit_id)
        require_managed(unit.manager_id, actor, "房源不存在")
        if unit.status != UnitStatus.IN_POOL:
            raise Conflict("unit_state", f"房源 {unit.number} 当前状态为“{unit.get_status_display()}”，不能退出")
        if OffsetAsset.objects.filter(pk=unit.asset_id, status=AssetStatus.AVAILABLE).update(status=AssetStatus.WITHDRAWN) != 1:
            raise Conflict("asset_unavailable", f"房源 {unit.number} 正在凭证抵付中办理，不能退出")
        unit.status = UnitStatus.WITHDRAWN
        unit.save(update_fields=["status"])
        audit.record(actor, "housing.unit_withdraw", unit, summary={"number": unit.number, "reason": reason})
        return unit


def reserve_unit(unit: Unit) -> None:
    """A locked unit in the pool, and its certificates asset, become reserved for one transaction."""
    if unit.status != UnitStatus.IN_POOL:
        raise Conflict("unit_unavailable", f"房源 {unit.number} 当前状态为“{unit.get_status_display()}”，不能办理")
    if OffsetAsset.objects.filter(pk=unit.asset_id, status=AssetStatus.AVAILABLE).update(status=AssetStatus.RESERVED) != 1:
        raise Conflict("unit_unavailable", f"房源 {unit.number} 已在凭证抵付中被占用")
    unit.status = UnitStatus.RESERVED
    unit.save(update_fields=["status"])


def new_tx(actor: User, kind: str, unit: Unit, counterparty: Organisation, price_fen: int, agreement_ref: str = "",
           application=None) -> HousingTransaction:
    return HousingTransaction.objects.create(number=next_number("PH", today_china().year), kind=kind, unit=unit, manager=unit.manager,
                                             counterparty=counterparty, price_fen=price_fen, agreement_ref=agreement_ref,
                                             application=application, created_by=actor)


# ---------------------------------------------------------------- the scenarios without certificate credit


def open_handover(actor: User, owner_id: int, *, agreed_fen: int, agreement_ref: str, contract_date: dt.date,
                  maturity_date: dt.date, **unit_data) -> HousingTransaction:
    """房产移交: an owner (a developer owing its contractors, a bank with foreclosed homes) hands a
    unit to the housing entity under an agreement. The agreed value becomes a certificate — the
    housing entity the debtor, the owner the creditor — through the normal issuance path: this
    starts the joint application on the entity's side; the owner confirms it with the contract and
    the operator's maker and checker review it, as for any certificate."""
    org = housing_actor(actor)
    owner = member_org(owner_id, "owner_id", "移交方")
    if owner.pk == org.pk:
        raise DomainError("owner_is_manager", "移交方不能是盘活主体本身", field="owner_id")
    agreed_fen = _money(agreed_fen, "agreed_fen", "约定价款")
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写移交协议编号", "agreement_ref", 60)
    today = today_china()
    fields = _unit_fields(unit_data, today)
    with transaction.atomic():
        _require_free_address(fields)
        unit = Unit.objects.create(number=next_number("FY", today.year), owner=owner, manager=org, created_by=actor,
                                   status=UnitStatus.HANDING_IN, **fields)
        app = issuance.create_application(actor, issuance.ApplicationInput(
            counterparty_id=owner.pk, role="debtor", contract_no=agreement_ref, contract_title=f"房产移交协议（{unit.address}）"[:200],
            contract_date=contract_date, amount_fen=agreed_fen, maturity_date=maturity_date,
            offset_scope=(ASSET_KIND_OF_USE[unit.use],), non_cash_declared=True))
        tx = new_tx(actor, TxKind.HANDOVER, unit, owner, agreed_fen, agreement_ref, application=app)
        audit.record(actor, "housing.handover_open", tx, summary={
            "number": tx.number, "unit": unit.number, "owner": owner.pk, "agreed_fen": agreed_fen, "application": app.number})
        notify(owner, f"房产移交待确认：{tx.number}", (
            f"{org.name} 已登记房产移交（{unit.address}，约定价款 {format_yuan(agreed_fen)}），并发起凭证开具申请 {app.number}。"
            "请上传移交协议并在线确认。"), obj=tx)
        return tx


def open_exchange_back(actor: User, unit_id: int, *, price_fen: int, agreement_ref: str) -> HousingTransaction:
    """房产换回: the original owner redeems a unit still in the pool at the agreed price."""
    housing_actor(actor)
    price_fen = _money(price_fen, "price_fen", "换回价款")
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写换回协议编号", "agreement_ref", 60)
    with transaction.atomic():
        unit = lock_unit(unit_id)
        require_managed(unit.manager_id, actor, "房源不存在")
        if unit.owner_id == unit.manager_id:
            raise DomainError("no_owner_to_return", f"房源 {unit.number} 为盘活主体自有，无原权利人可换回", field="unit_id")
        reserve_unit(unit)
        tx = new_tx(actor, TxKind.EXCHANGE_BACK, unit, unit.owner, price_fen, agreement_ref)
        audit.record(actor, "housing.exchange_open", tx, summary={"number": tx.number, "unit": unit.number, "owner": unit.owner_id,
                                                                  "price_fen": price_fen, "agreement_ref": agreement_ref})
        notify(unit.owner, f"房产换回办理中：{tx.number}", f"房源 {unit.address} 按约定价款 {format_yuan(price_fen)} 换回。", obj=tx)
        return tx


def open_cash_sale(actor: User, unit_id: int, *, buyer_id: int, price_fen: int, agreement_ref: str) -> HousingTransaction:
    """房产现金销售: the housing entity sells a pool unit for money to a registered buyer."""
    org = housing_actor(actor)
    price_fen = _money(price_fen, "price_fen", "成交价款")
    agreement_ref = required_text(agreement_ref, "agreement_required", "请填写购房合同编号", "agreement_ref", 60)
    buyer = member_org(buyer_id, "buyer_id", "买受人")
    if buyer.pk == org.pk:
        raise DomainError("buyer_is_manager", "买受人不能是盘活主体本身", field="buyer_id")
    with transaction.atomic():
        unit = lock_unit(unit_id)
        require_managed(unit.manager_id, actor, "房源不存在")
        reserve_unit(unit)
        tx = new_tx(actor, TxKind.CASH_SALE, unit, buyer, price_fen, agreement_ref)
        audit.record(actor, "housing.sale_open", tx, summary={"number": tx.number, "unit": unit.number, "buyer": buyer.pk,
                                                              "price_fen": price_fen, "agreement_ref": agreement_ref})
        return tx


def record_payment(actor: User, tx_id: int, *, amount_fen: int, payer: str, bank_ref: str, paid_on: dt.date) -> HousingTransaction:
    """The money received for an exchange back or a cash sale: the full price, payer, bank reference."""
    housing_actor(actor)
    payer = required_text(payer, "payer_required", "请填写付款人", "payer", 100)
    bank_ref = required_text(bank_ref, "bank_ref_required", "请填写银行流水号", "bank_ref", 60)
    if paid_on is None or paid_on > today_china():
        raise DomainError("paid_on_invalid", "请填写到账日期（不能晚于今天）", field="paid_on")
    with transaction.atomic():
        tx = lock_tx(tx_id)
        require_managed(tx.manager_id, actor, "盘活业务不存在")
        if tx.kind not in (TxKind.EXCHANGE_BACK, TxKind.CASH_SALE):
            raise Conflict("housing_tx_kind", f"{tx.get_kind_display()}不在此登记价款（凭证抵付的补足款另行登记）")
        require_tx_status(tx, TxStatus.OPEN, what="登记收款")
        if tx.payment_ref:
            raise Conflict("payment_recorded", f"盘活业务 {tx.number} 已登记收款")
        if amount_fen != tx.price_fen:
            raise DomainError("payment_not_price", f"收款金额须等于约定价款 {format_yuan(tx.price_fen)}", field="amount_fen")
        tx.payment_fen, tx.payer, tx.payment_ref, tx.payment_date = amount_fen, payer, bank_ref, paid_on
        tx.save(update_fields=["payment_fen", "payer", "payment_ref", "payment_date"])
        audit.record(actor, "housing.payment", tx, summary={"number": tx.number, "amount_fen": amount_fen, "payer": payer,
                                                            "bank_ref": bank_ref, "paid_on": paid_on.isoformat()})
        return tx


# ---------------------------------------------------------------- the registration checklist


def step_actor(actor: User, tx: HousingTransaction) -> str:
    """Registration steps are recorded by the managing housing entity or by the operator, which
    runs the entity's pool under entrustment (seed 二(一)1「受托…实施集中运营管理」)."""
    require_write_access(actor)
    if actor.organisation.has_role(Role.OPERATOR):
        return "operator"
    require_role(actor, Role.HOUSING)
    require_managed(tx.manager_id, actor, "盘活业务不存在")
    return "housing"


def record_step(actor: User, tx_id: int, step: str, ref_no: str, done_on: dt.date) -> RegistrationStep:
    if step not in StepKind.values:
        raise DomainError("step_invalid", "请选择登记事项", field="step")
    ref_no = required_text(ref_no, "ref_no_required", "请填写登记/备案编号", "ref_no", 60)
    if done_on is None or done_on > today_china():
        raise DomainError("done_on_invalid", "请填写办理日期（不能晚于今天）", field="done_on")
    with transaction.atomic():
        tx = lock_tx(tx_id)
        by = step_actor(actor, tx)
        require_tx_status(tx, TxStatus.OPEN, TxStatus.AGREED, what="登记办理事项")
        if tx.steps.filter(step=step).exists():
            raise Conflict("step_recorded", f"{StepKind(step).label}已登记", field="step")
        row = RegistrationStep.objects.create(transaction=tx, step=step, ref_no=ref_no, done_on=done_on, recorded_by=actor)
        audit.record(actor, "housing.step", tx, summary={"number": tx.number, "step": step, "ref_no": ref_no,
                                                         "done_on": done_on.isoformat(), "by": by})
        return row


def missing_steps(tx: HousingTransaction) -> list[str]:
    return rules.missing_steps(tx.kind, tx.unit.kind, tx.unit.mortgaged, tx.steps.values_list("step", flat=True))


def require_steps(tx: HousingTransaction) -> None:
    missing = missing_steps(tx)
    if missing:
        raise DomainError("steps_missing", f"尚未登记：{'、'.join(rules.STEP_LABELS[s] for s in missing)}", field="step")


# ---------------------------------------------------------------- completing and cancelling


def complete(actor: User, tx_id: int) -> HousingTransaction:
    """Close a handover, an exchange back or a cash sale once every required step (and the money,
    or the issued certificate) is on record. 凭证抵付 completes through ``offsetting.complete``."""
    housing_actor(actor)
    with transaction.atomic():
        tx = lock_tx(tx_id)
        require_managed(tx.manager_id, actor, "盘活业务不存在")
        if tx.kind == TxKind.CERTIFICATE_OFFSET:
            raise Conflict("housing_tx_kind", "凭证抵付由债权管理服务机构办理注销登记后完成")
        require_tx_status(tx, TxStatus.OPEN, what="办结")
        require_steps(tx)
        unit = lock_unit(tx.unit_id)
        summary = {"number": tx.number, "kind": tx.kind, "unit": unit.number}
        if tx.kind == TxKind.HANDOVER:
            if tx.application.status != ApplicationStatus.ISSUED:
                raise Conflict("certificate_not_issued", f"凭证开具申请 {tx.application.number} 尚未开具（{tx.application.get_status_display()}）")
            unit.asset = _new_asset(unit, actor)
            unit.status = UnitStatus.IN_POOL
            summary["certificate"] = tx.application.certificate.number
        else:
            if tx.payment_fen != tx.price_fen or not tx.payment_ref:
                raise DomainError("payment_missing", "请先登记收款", field="amount_fen")
            to_asset = AssetStatus.WITHDRAWN if tx.kind == TxKind.EXCHANGE_BACK else AssetStatus.DELIVERED
            if OffsetAsset.objects.filter(pk=unit.asset_id, status=AssetStatus.RESERVED).update(status=to_asset) != 1:
                raise Conflict("asset_state", f"房源 {unit.number} 的抵付资产状态异常")  # pragma: no cover - locked with the unit
            unit.status = UnitStatus.EXCHANGED if tx.kind == TxKind.EXCHANGE_BACK else UnitStatus.SOLD
            summary.update(payment_fen=tx.payment_fen, bank_ref=tx.payment_ref)
        unit.save(update_fields=["asset", "status"])
        tx.status, tx.completed_by, tx.completed_at = TxStatus.COMPLETED, actor, timezone.now()
        tx.save(update_fields=["status", "completed_by", "completed_at"])
        audit.record(actor, "housing.complete", tx, summary=summary)
        notify(tx.counterparty, f"{tx.get_kind_display()}已办结：{tx.number}", f"房源 {unit.address}。", obj=tx)
        return tx


def release_unit(unit: Unit, tx: HousingTransaction) -> None:
    """A cancelled transaction gives its unit back: to the pool, or (handover) out of it."""
    if tx.kind == TxKind.HANDOVER:
        unit.status = UnitStatus.WITHDRAWN
    else:
        OffsetAsset.objects.filter(pk=unit.asset_id).update(status=AssetStatus.AVAILABLE)
        unit.status = UnitStatus.IN_POOL
    unit.save(update_fields=["status"])


def cancel(actor: User, tx_id: int, reason: str) -> HousingTransaction:
    """Cancel a handover, exchange back or cash sale before it completes: the unit goes back to the
    pool (a handover's unit leaves it; its certificate application is withdrawn if not yet issued)."""
    housing_actor(actor)
    reason = required_text(reason, "reason_required", "请说明撤销理由", "reason", MAX_TEXT)
    with transaction.atomic():
        tx = lock_tx(tx_id)
        require_managed(tx.manager_id, actor, "盘活业务不存在")
        if tx.kind == TxKind.CERTIFICATE_OFFSET:
            raise Conflict("housing_tx_kind", "凭证抵付请在业务页面撤销（释放各持有人的凭证分段）")
        require_tx_status(tx, TxStatus.OPEN, what="撤销")
        if tx.kind == TxKind.HANDOVER:
            if tx.application.status == ApplicationStatus.ISSUED:
                raise Conflict("certificate_issued", "凭证已开具，移交不能撤销；可办理房产换回")
            if tx.application.status == ApplicationStatus.PREPARED:
                raise Conflict("certificate_in_review", f"凭证开具申请 {tx.application.number} 正在复核，请待复核结果后再撤销")
            if tx.application.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED, ApplicationStatus.SUBMITTED):
                issuance.withdraw_application(actor, tx.application_id)
        release_unit(lock_unit(tx.unit_id), tx)
        tx.status, tx.closed_reason = TxStatus.CANCELLED, reason
        tx.save(update_fields=["status", "closed_reason"])
        audit.record(actor, "housing.cancel", tx, summary={"number": tx.number, "kind": tx.kind, "reason": reason})
        return tx
