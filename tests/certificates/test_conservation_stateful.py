"""Hypothesis stateful test: random issue/transfer/split/accept/decline/cancel/lapse sequences keep
every certificate's face amount conserved and every reserved amount backed by exactly one offer."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from liuzhuan.certificates import actions
from liuzhuan.certificates.models import Certificate, Piece, Transfer
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.supervision.integrity import run_all

from ..conftest import make_org, make_user
from .conftest import app_input


class CertificateMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.operator = make_org("运营", "operator")
        self.clerk = make_user(self.operator, "m_clerk")
        self.checker = make_user(self.operator, "m_checker", "manager")
        self.orgs = [make_org(f"会员{i}") for i in range(4)]
        self.users = [make_user(o, f"m_user{i}", "manager") for i, o in enumerate(self.orgs)]
        actions.set_fee_rule(self.clerk, "transfer", "5", 100, None, "split", today_china())

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _user_of(self, org_id):
        return self.users[[o.pk for o in self.orgs].index(org_id)]

    @rule(creditor=st.integers(0, 3), debtor=st.integers(0, 3), amount=st.integers(1_00, 5_000_000_00))
    def issue(self, creditor, debtor, amount):
        if creditor == debtor:
            return
        app = actions.create_application(self.users[creditor], app_input(self.orgs[debtor], amount_fen=amount))
        actions.confirm_application(self.users[debtor], app.pk)
        actions.prepare_review(self.clerk, app.pk, "approve")
        actions.decide_review(self.checker, app.pk, True)

    @rule(data=st.data(), to=st.integers(0, 3), share=st.floats(0.0, 1.2))
    def transfer(self, data, to, share):
        live = list(Piece.objects.filter(status="live").order_by("id").values_list("pk", "holder_id", "amount_fen"))
        if not live:
            return
        pk, holder_id, amount = data.draw(st.sampled_from(live))
        try:
            actions.offer_transfer(self._user_of(holder_id), pk, self.orgs[to].pk, max(0, int(amount * share)), "SM")
        except DomainError:
            pass  # refused transfers must change nothing: the invariants below check it

    @rule(data=st.data(), verb=st.sampled_from(["accept", "decline", "cancel"]))
    def decide(self, data, verb):
        open_offers = list(Transfer.objects.filter(status="offered").order_by("id").values_list("pk", "from_org_id", "to_org_id"))
        if not open_offers:
            return
        pk, from_id, to_id = data.draw(st.sampled_from(open_offers))
        if verb == "accept":
            actions.accept_offer(self._user_of(to_id), pk)
        elif verb == "decline":
            actions.decline_offer(self._user_of(to_id), pk, "no")
        else:
            actions.cancel_offer(self._user_of(from_id), pk)

    @rule()
    def lapse(self):
        actions.lapse_expired_offers(today_china() + dt.timedelta(days=60))

    @invariant()
    def conserved(self):
        report = run_all()
        assert report.ok, report.problems
        for cert in Certificate.objects.all():
            held = Piece.objects.filter(certificate=cert, status__in=["live", "offered"]).aggregate(t=Sum("amount_fen"))["t"]
            assert held == cert.face_fen

    @invariant()
    def reserved_matches_offers(self):
        offered = Piece.objects.filter(status="offered").count()
        assert offered == Transfer.objects.filter(status="offered").count()
        assert not Transfer.objects.filter(status="offered").exclude(piece__status="offered").exists()


@pytest.mark.slow
def test_conservation_under_random_operations(db):
    run_state_machine_as_test(
        CertificateMachine,
        settings=settings(max_examples=15, stateful_step_count=18, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
