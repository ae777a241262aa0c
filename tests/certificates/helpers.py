"""Helpers the certificates tests share (pledge, purchase, offset, void, maturity, market purchase)."""

from __future__ import annotations

import datetime as dt

from liuzhuan.certificates.ledger.models import Piece, Transfer
from liuzhuan.certificates.maturity.models import CertificateExtension
from liuzhuan.certificates.offset.models import OffsetApplication
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.pledge.models import Pledge
from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.certificates.purchase.models import PurchaseCommitment, PurchaseSale
from liuzhuan.core.dates import today_china
from liuzhuan.core.integrity import run_all
from liuzhuan.core.models import AuditEvent
from liuzhuan.core.roles import Role
from liuzhuan.members.models import Notification

from ..conftest import make_org, make_user

TODAY = today_china()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def state() -> tuple:
    """Everything a refused action must leave untouched."""
    return (
        tuple(Piece.objects.order_by("pk").values_list("pk", "holder_id", "amount_fen", "status")),
        tuple(Pledge.objects.order_by("pk").values_list("pk", "status")),
        tuple(OffsetApplication.objects.order_by("pk").values_list("pk", "status", "price_fen")),
        tuple(PurchaseCommitment.objects.order_by("pk").values_list("pk", "status", "used_fen")),
        tuple(PurchaseSale.objects.order_by("pk").values_list("pk", "status")),
        Transfer.objects.count(), CertificateExtension.objects.count(), AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def verified() -> bool:
    report = run_all()
    assert report.ok, report.problems
    return True


def purchaser(world, capacity_fen: int = 5_000_000_00):
    """A market purchaser (收购主体) approved by the operator (maker clerk, checker) with a capacity."""
    org = make_org("兴投收购公司", Role.PURCHASER, Role.MEMBER)
    user = make_user(org, "xt_user", "manager")
    p = purchase.prepare_provider(world.clerk, org.pk, capacity_fen, "测试认可")
    purchase.decide_provider(world.checker, p.pk, True)
    return org, user


def commitment(world, cert, provider_user, *, entrust=None, price_bp=9500, lockup_days=30, expiry_days=120, accept=True, **kw):
    c = purchase.request_commitment(
        entrust or world.alice, cert.pk, provider_user.organisation_id, price_kind=kw.pop("price_kind", "percent"),
        price_bp=price_bp if "fixed_price_fen" not in kw else None, lockup_end=days(lockup_days), expiry=days(expiry_days),
        conditions=kw.pop("conditions", "锁定期满后按面额 95% 收购"), agreement_ref="WT-001", **kw)
    if accept:
        c = purchase.accept_commitment(provider_user, c.pk)
    return c


def end_lockup(c, last_locked_day: dt.date | None = None):
    PurchaseCommitment.objects.filter(pk=c.pk).update(lockup_end=last_locked_day or days(-1))
    c.refresh_from_db()
    return c


def pledge(world, piece, amount_fen=None, *, register=True, **kw):
    p = pledging.create_pledge(world.alice, piece.pk, world.bank_org.pk, amount_fen or piece.amount_fen, "ZY-HT-01",
                               kw.pop("secured_fen", 500_000_00), TODAY, days(365))
    if register:
        p = pledging.register_pledge(world.banker, p.pk, "0123456789ABCDEF", TODAY)
    return p


def housing(world):
    org = make_org("汇浦房产", Role.HOUSING, Role.MEMBER)
    return org, make_user(org, "hp_user", "manager")


def pdf(tag: str) -> bytes:
    """A small PDF-looking upload; ``tag`` makes its content (and SHA-256) distinct."""
    return b"%PDF-1.4\n% " + tag.encode() + b"\n"


def finish_offset(off, debtor, holder, operator, **delivery):
    """The three completion steps of an agreed offset: the debtor uploads the documents and records
    delivery, the holder confirms receipt, the operator registers the cancellation (注销登记)."""
    from liuzhuan.certificates.offset import actions as offset

    kinds = ("delivery", "title") if off.kind == "asset" else ("settlement",)
    for kind in kinds:
        offset.add_offset_evidence(debtor, off.pk, kind, f"{kind}.pdf", pdf(f"{off.number}-{kind}"))
    if delivery.get("cash_top_up_ref"):  # the holder paid a shortfall in cash: its proof too
        offset.add_offset_evidence(holder, off.pk, "top_up", "top_up.pdf", pdf(f"{off.number}-top_up"))
    refs = {"delivery_ref": "JF", "title_registration_ref": "DJ"} if off.kind == "asset" else {"delivery_ref": "JF", "settlement_ref": "JS"}
    offset.record_offset_delivery(debtor, off.pk, **{**refs, **delivery})
    offset.confirm_offset_receipt(holder, off.pk)
    return offset.register_offset_cancellation(operator, off.pk)
