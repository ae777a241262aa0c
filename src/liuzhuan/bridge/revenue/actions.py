"""Non-tax revenue operations (第十五条): recording the deposit interest received and the
remittances of fees, interest and penalties to the finance bureau (never more than collected).

Every action checks who is asking, validates (Chinese message naming the field), locks what it
changes (the fund row first, then applications by pk), writes, appends an audit event and
notifies — all in one ``transaction.atomic()``; a ``DomainError`` means nothing was changed.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from liuzhuan.core import audit
from liuzhuan.core.errors import DomainError
from liuzhuan.core.money import format_yuan

from .. import inputs
from ..fund.actions import lock_fund, notify_bureau, require_manager_org
from ..fund.queries import require_fund
from ..models.revenue import DepositInterest, Remittance
from .queries import revenue_balance


def record_deposit_interest(actor, *, period_start: dt.date, period_end: dt.date, received_on: dt.date, amount_fen: int,
                            reference: str, on: dt.date | None = None) -> DepositInterest:
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund)
    for value, name, label in ((period_start, "period_start", "计息起日"), (period_end, "period_end", "计息止日"), (received_on, "received_on", "入账日期")):
        inputs.date(value, name, label)
    if period_end < period_start:
        raise DomainError("invalid_period", "计息止日不能早于计息起日", "period_end")
    if received_on > today:
        raise DomainError("future_date", "入账日期不能晚于今天", "received_on")
    amount = inputs.fen(amount_fen, "amount_fen", "利息金额")
    reference = inputs.text(reference, "reference", "银行回单号", max_length=80)
    with transaction.atomic():
        row = DepositInterest.objects.create(period_start=period_start, period_end=period_end, received_on=received_on,
                                             amount_fen=amount, reference=reference, recorded_by=actor)
        audit.record(actor, "bridge.revenue.interest", row, summary={"amount_fen": amount, "received_on": received_on, "reference": reference})
        notify_bureau(fund, "续贷过桥资金存款利息入账", f"{period_start.isoformat()} 至 {period_end.isoformat()} 存款利息 {format_yuan(amount)}"
                      f"（{received_on.isoformat()} 入账），将作为非税收入上缴（第十五条）。", obj=row)
        return row


def record_remittance(actor, *, remitted_on: dt.date, fee_fen: int, interest_fen: int, penalty_fen: int, voucher_no: str,
                      on: dt.date | None = None) -> Remittance:
    """资金占用费和存款利息（及违约金）作为非税收入上缴市财政 (第十五条)."""
    today = inputs.today(on)
    fund = require_fund()
    require_manager_org(actor, fund)
    inputs.date(remitted_on, "remitted_on", "上缴日期")
    if remitted_on > today:
        raise DomainError("future_date", "上缴日期不能晚于今天", "remitted_on")
    fee = inputs.fen(fee_fen, "fee_fen", "占用费", allow_zero=True)
    interest = inputs.fen(interest_fen, "interest_fen", "存款利息", allow_zero=True)
    penalty = inputs.fen(penalty_fen, "penalty_fen", "违约金", allow_zero=True)
    if fee + interest + penalty <= 0:
        raise DomainError("empty_remittance", "上缴金额合计必须大于零", "fee_fen")
    voucher_no = inputs.text(voucher_no, "voucher_no", "非税收入缴款书号", max_length=80)
    try:
        with transaction.atomic():
            fund = lock_fund()  # serialises remittances: no fen is remitted twice
            bal = revenue_balance(remitted_on, all_remittances=True)
            for amount, avail, name, label in ((fee, bal.fee_unremitted_fen, "fee_fen", "占用费"),
                                               (interest, bal.interest_unremitted_fen, "interest_fen", "存款利息"),
                                               (penalty, bal.penalty_unremitted_fen, "penalty_fen", "违约金")):
                if amount > avail:
                    raise DomainError("exceeds_unremitted", f"{label} {format_yuan(amount)} 超过截至 {remitted_on.isoformat()} 已收未缴金额 {format_yuan(avail)}", name)
            if Remittance.objects.filter(voucher_no=voucher_no).exists():
                raise DomainError("voucher_taken", f"缴款书号“{voucher_no}”已登记", "voucher_no")
            rem = Remittance.objects.create(remitted_on=remitted_on, fee_fen=fee, interest_fen=interest, penalty_fen=penalty,
                                            voucher_no=voucher_no, recorded_by=actor)
            audit.record(actor, "bridge.revenue.remit", rem, summary={"fee_fen": fee, "interest_fen": interest, "penalty_fen": penalty, "voucher_no": voucher_no})
            notify_bureau(fund, "续贷过桥资金非税收入上缴", f"{remitted_on.isoformat()} 上缴 {format_yuan(rem.total_fen)}"
                          f"（占用费 {format_yuan(fee)}、存款利息 {format_yuan(interest)}、违约金 {format_yuan(penalty)}），缴款书 {voucher_no}。", obj=rem)
            return rem
    except IntegrityError as exc:
        raise DomainError("voucher_taken", f"缴款书号“{voucher_no}”已登记", "voucher_no") from exc
