"""change_principal: the bureau contributes or withdraws; the manager cannot block it (第十一条)."""

import datetime as dt

import pytest

from liuzhuan.bridge.fund import actions, queries
from liuzhuan.bridge.models.fund import PrincipalChange
from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.members.models import Notification

from ..conftest import PRINCIPAL, TODAY, YUAN


def test_contribution_and_withdrawal_history(bw):
    actions.change_principal(bw.bureau, kind="contribute", amount_fen=5_000_000 * YUAN, effective_on=dt.date(2026, 2, 1),
                             document_no="桐财〔2026〕8号", on=TODAY)
    c = actions.change_principal(bw.bureau, kind="withdraw", amount_fen=2_000_000 * YUAN, effective_on=TODAY,
                                 document_no="桐财〔2026〕9号", note="调度", on=TODAY)
    assert c.principal_after_fen == PRINCIPAL + 3_000_000 * YUAN == bw.refresh().principal_fen
    assert [k for k, in PrincipalChange.objects.values_list("kind")] == ["contribute", "contribute", "withdraw"]
    assert queries.principal_steps()[-2:] == [(dt.date(2026, 2, 1), PRINCIPAL + 5_000_000 * YUAN), (TODAY, PRINCIPAL + 3_000_000 * YUAN)]
    assert Notification.objects.filter(organisation=bw.fund_org, title__contains="财政调回").exists()


def test_bureau_withdrawal_is_not_blocked_by_loans_and_suspends_on_exposure(bw):
    """The bureau's call goes through even with money lent out; the exposure switch reacts."""
    from ..conftest import disbursed

    app = disbursed(bw)
    actions.change_principal(bw.bureau, kind="withdraw", amount_fen=PRINCIPAL - app.amount_fen, effective_on=TODAY,
                             document_no="调度令", on=TODAY)
    assert bw.refresh().principal_fen == app.amount_fen  # only the lent money is left on the books
    assert bw.fund.status == "open"  # nothing is overdue yet: exposure 0 %


def test_bad_input(bw):
    for kw, field in [
        (dict(kind="steal"), "kind"),
        (dict(amount_fen=0), "amount_fen"),
        (dict(amount_fen=1.5), "amount_fen"),
        (dict(effective_on=TODAY + dt.timedelta(days=1)), "effective_on"),
        (dict(effective_on=dt.date(2024, 12, 31)), "effective_on"),
        (dict(document_no=""), "document_no"),
        (dict(kind="withdraw", amount_fen=PRINCIPAL + 1), "amount_fen"),
    ]:
        args = dict(kind="contribute", amount_fen=100, effective_on=TODAY, document_no="x", on=TODAY) | kw
        with pytest.raises(DomainError) as exc:
            actions.change_principal(bw.bureau, **args)
        assert exc.value.field == field, kw
    assert bw.refresh().principal_fen == PRINCIPAL


def test_out_of_order_date_refused(bw):
    actions.change_principal(bw.bureau, kind="contribute", amount_fen=100, effective_on=TODAY, document_no="x", on=TODAY)
    with pytest.raises(DomainError) as exc:
        actions.change_principal(bw.bureau, kind="contribute", amount_fen=100, effective_on=TODAY - dt.timedelta(days=1),
                                 document_no="y", on=TODAY)
    assert exc.value.code == "out_of_order"


def test_rejects_other_org(bw):
    for user in (bw.manager, bw.other_bureau, bw.sme, bw.inspector):
        with pytest.raises(PermissionDenied):
            actions.change_principal(user, kind="withdraw", amount_fen=100, effective_on=TODAY, document_no="x", on=TODAY)
    assert bw.refresh().principal_fen == PRINCIPAL
