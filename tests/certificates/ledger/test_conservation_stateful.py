"""Hypothesis stateful test: random issue/transfer/split/accept/decline/cancel/lapse sequences — and
the lifecycle: pledge/register/release/enforce, offset apply/complete/withdraw, purchase commitments
and sales — keep every certificate's face amount conserved and every reserved or frozen amount
backed by exactly one open record."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from liuzhuan.certificates.circulation import actions as circulation
from liuzhuan.certificates.fees import actions as fees
from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.ledger.integrity import ended_value_statuses
from liuzhuan.certificates.ledger.models import HOLDING_STATUSES, Certificate, Piece, Transfer
from liuzhuan.certificates.maturity import actions as maturity
from liuzhuan.certificates.offset import actions as offset
from liuzhuan.certificates.offset.models import OffsetApplication
from liuzhuan.certificates.pledge import actions as pledging
from liuzhuan.certificates.pledge.models import Pledge
from liuzhuan.certificates.purchase import actions as purchase
from liuzhuan.certificates.purchase.models import PurchaseCommitment, PurchaseSale
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all

from ...conftest import make_org, make_user
from ..conftest import app_input, attach_contract, check_contract
from ..helpers import finish_offset


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
        fees.set_fee_rule(self.clerk, "transfer", "5", 100, None, "split", today_china())
        self.provider = make_org("收购方", "purchaser", "member")
        self.provider_user = make_user(self.provider, "m_provider", "manager")
        purchase.decide_provider(self.checker, purchase.prepare_provider(self.clerk, self.provider.pk, 10**13).pk, True)
        self.orgs.append(self.provider)
        self.users.append(self.provider_user)

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _user_of(self, org_id):
        return self.users[[o.pk for o in self.orgs].index(org_id)]

    @initialize(amounts=st.lists(st.integers(1_00, 5_000_000_00), min_size=2, max_size=2))
    def two_certificates(self, amounts):
        self.issue(0, 1, amounts[0], True)
        self.issue(2, 0, amounts[1], False)

    @rule(creditor=st.integers(0, 3), debtor=st.integers(0, 3), amount=st.integers(1_00, 5_000_000_00), extension=st.booleans())
    def issue(self, creditor, debtor, amount, extension):
        if creditor == debtor:
            return
        clause = {"extension_days": 60, "extension_max": 2} if extension else {}
        app = issuance.create_application(self.users[creditor], app_input(self.orgs[debtor], amount_fen=amount, **clause))
        attach_contract(self.users[creditor], app)
        issuance.confirm_application(self.users[debtor], app.pk)
        check_contract(self.clerk, app)
        issuance.prepare_review(self.clerk, app.pk, "approve")
        issuance.decide_review(self.checker, app.pk, True)

    @rule(data=st.data(), to=st.integers(0, 3), share=st.floats(0.0, 1.2))
    def transfer(self, data, to, share):
        live = list(Piece.objects.filter(status="live").order_by("id").values_list("pk", "holder_id", "amount_fen"))
        if not live:
            return
        pk, holder_id, amount = data.draw(st.sampled_from(live))
        try:
            circulation.offer_transfer(self._user_of(holder_id), pk, self.orgs[to].pk, max(0, int(amount * share)), "SM")
        except DomainError:
            pass  # refused transfers must change nothing: the invariants below check it

    @rule(data=st.data(), lines=st.lists(st.tuples(st.integers(0, 3), st.floats(0.0, 0.7)), min_size=1, max_size=4))
    def batch_transfer(self, data, lines):
        """批量转让: one holder, several lines, possibly several parts of the same piece."""
        live = list(Piece.objects.filter(status="live").order_by("id").values_list("pk", "holder_id", "amount_fen"))
        if not live:
            return
        _pk, holder_id, _amount = data.draw(st.sampled_from(live))
        mine = [p for p in live if p[1] == holder_id]
        items = []
        for to, share in lines:
            pk, _, amount = data.draw(st.sampled_from(mine))
            items.append(circulation.OfferItem(pk, self.orgs[to].pk, max(0, int(amount * share)), "SMB"))
        try:
            circulation.offer_transfers(self._user_of(holder_id), items)
        except DomainError:
            pass  # all or nothing: the invariants check that a refused batch changed nothing

    @rule(data=st.data(), stray=st.booleans())
    def accept_all(self, data, stray):
        """批量签收 of every open offer to one member; a stray id (someone else's) refuses them all."""
        open_offers = list(Transfer.objects.filter(status="offered").order_by("id").values_list("pk", "to_org_id"))
        if not open_offers:
            return
        _, to_id = data.draw(st.sampled_from(open_offers))
        ids = [pk for pk, t in open_offers if t == to_id]
        others = [pk for pk, t in open_offers if t != to_id]
        if stray and others:
            ids.append(others[0])
            with pytest.raises(DomainError):
                circulation.accept_offers(self._user_of(to_id), ids)
            return
        done = circulation.accept_offers(self._user_of(to_id), ids)
        assert [t.status for t in done] == ["accepted"] * len(ids)

    @rule(data=st.data(), verb=st.sampled_from(["accept", "decline", "cancel"]))
    def decide(self, data, verb):
        open_offers = list(Transfer.objects.filter(status="offered").order_by("id").values_list("pk", "from_org_id", "to_org_id"))
        if not open_offers:
            return
        pk, from_id, to_id = data.draw(st.sampled_from(open_offers))
        if verb == "accept":
            circulation.accept_offer(self._user_of(to_id), pk)
        elif verb == "decline":
            circulation.decline_offer(self._user_of(to_id), pk, "no")
        else:
            circulation.cancel_offer(self._user_of(from_id), pk)

    @rule()
    def lapse(self):
        circulation.lapse_expired_offers(today_china() + dt.timedelta(days=60))

    # --- lifecycle rules ---------------------------------------------------------------------

    def _live(self, data):
        live = list(Piece.objects.filter(status="live").order_by("id").values_list("pk", "holder_id", "amount_fen", "certificate_id"))
        return data.draw(st.sampled_from(live)) if live else None

    @rule(data=st.data(), to=st.integers(0, 4), share=st.floats(0.0, 1.2), register=st.booleans())
    def pledge(self, data, to, share, register):
        picked = self._live(data)
        if picked is None:
            return
        pk, holder_id, amount, _ = picked
        today = today_china()
        try:
            p = pledging.create_pledge(self._user_of(holder_id), pk, self.orgs[to].pk, max(0, int(amount * share)), "ZY", 1,
                                       today, today + dt.timedelta(days=30))
            if register:
                pledging.register_pledge(self._user_of(p.pledgee_id), p.pk, "REG", today)
        except DomainError:
            pass

    @rule(data=st.data(), verb=st.sampled_from(["release", "enforce", "cancel", "transfer"]))
    def pledge_end(self, data, verb):
        open_pledges = list(Pledge.objects.filter(status__in=["pending_registration", "effective"]).order_by("id").values_list(
            "pk", "pledgor_id", "pledgee_id"))
        if not open_pledges:
            return
        pk, pledgor_id, pledgee_id = data.draw(st.sampled_from(open_pledges))
        pledgee = self._user_of(pledgee_id)
        try:
            if verb == "release":
                pledging.release_pledge(pledgee, pk)
            elif verb == "enforce":
                pledging.enforce_pledge(pledgee, pk, default_date=today_china(), reason="违约", agreement_ref="ZJ")
            elif verb == "cancel":
                pledging.cancel_pledge(self._user_of(pledgor_id), pk)
            else:
                to = next(o for o in self.orgs if o.pk not in (pledgor_id,))
                req = pledging.request_pledged_transfer(self._user_of(pledgor_id), pk, to.pk, "ZR")
                pledging.consent_pledged_transfer(pledgee, req.pk, True, "提存")
                pledging.accept_pledged_transfer(self._user_of(to.pk), req.pk)
        except DomainError:
            pass

    @rule(data=st.data(), share=st.floats(0.0, 1.2), price_share=st.floats(0.01, 1.5), finish=st.sampled_from(["complete", "withdraw", "open"]))
    def offset(self, data, share, price_share, finish):
        picked = self._live(data)
        if picked is None:
            return
        pk, holder_id, amount, cert_id = picked
        holder = self._user_of(holder_id)
        debtor = self._user_of(Certificate.objects.get(pk=cert_id).debtor_id)
        try:
            off = offset.apply_offset(holder, pk, "asset", max(0, int(amount * share)))
        except DomainError:
            return
        if finish == "withdraw":
            offset.close_offset(holder, off.pk)
        elif finish == "complete":
            price = max(1, int(off.amount_fen * price_share))
            asset = offset.add_asset(debtor, kind="house", name="房", list_price_fen=price)
            offset.offer_offset_options(debtor, off.pk, asset_ids=[asset.pk])
            offset.propose_offset_price(holder, off.pk, price, asset.pk)
            offset.accept_offset_price(debtor, off.pk)
            finish_offset(off, debtor, holder, self.clerk, cash_top_up_ref="LS", cash_top_up_date=today_china())

    @rule(data=st.data(), bp=st.integers(1, 10000))
    def commit(self, data, bp):
        certs = list(Certificate.objects.filter(status="active").order_by("id").values_list("pk", "creditor_id"))
        if not certs:
            return
        cert_id, creditor_id = data.draw(st.sampled_from(certs))
        if creditor_id == self.provider.pk:
            return
        today = today_china()
        c = purchase.request_commitment(self._user_of(creditor_id), cert_id, self.provider.pk, price_kind="percent", price_bp=bp,
                                        lockup_end=today, expiry=today + dt.timedelta(days=60), agreement_ref="WT")
        purchase.accept_commitment(self.provider_user, c.pk)
        PurchaseCommitment.objects.filter(pk=c.pk).update(lockup_end=today - dt.timedelta(days=1))

    @rule(data=st.data(), share=st.floats(0.0, 1.2), confirm=st.booleans())
    def sell(self, data, share, confirm):
        picked = self._live(data)
        if picked is None:
            return
        pk, holder_id, amount, cert_id = picked
        c = PurchaseCommitment.objects.filter(certificate_id=cert_id, status="active").first()
        if c is None:
            return
        try:
            sale = purchase.apply_sale(self._user_of(holder_id), pk, c.pk, max(0, int(amount * share)))
        except DomainError:
            return
        if confirm:
            purchase.confirm_sale(self.provider_user, sale.pk, payment_fen=sale.price_fen, payment_date=today_china(), payment_ref="B")
        else:
            purchase.close_sale(self.provider_user, sale.pk, "不符合条件")

    @rule(after=st.sampled_from([100, 160, 400]))
    def daily(self, after):
        maturity.process_maturities(today_china() + dt.timedelta(days=after))

    @invariant()
    def conserved(self):
        report = run_all()
        assert report.ok, report.problems
        counted = list(HOLDING_STATUSES | ended_value_statuses())
        for cert in Certificate.objects.all():
            total = Piece.objects.filter(certificate=cert, status__in=counted).aggregate(t=Sum("amount_fen"))["t"]
            assert total == cert.face_fen
            held = Piece.objects.filter(certificate=cert, status__in=list(HOLDING_STATUSES)).aggregate(t=Sum("amount_fen"))["t"] or 0
            cancelled = OffsetApplication.objects.filter(certificate=cert, status="completed").aggregate(t=Sum("offset_fen"))["t"] or 0
            assert held + cancelled == cert.face_fen
            assert (cert.status == "settled") == (held == 0)

    @invariant()
    def frozen_matches_records(self):
        assert Piece.objects.filter(status="pledged").count() == Pledge.objects.filter(status__in=["pending_registration", "effective"]).count()
        assert Piece.objects.filter(status="offsetting").count() == OffsetApplication.objects.exclude(
            status__in=["completed", "refused", "withdrawn"]).count()
        assert Piece.objects.filter(status="selling").count() == PurchaseSale.objects.filter(status="applied").count()

    @invariant()
    def reserved_matches_offers(self):
        offered = Piece.objects.filter(status="offered").count()
        assert offered == Transfer.objects.filter(status="offered").count()
        assert not Transfer.objects.filter(status="offered").exclude(piece__status="offered").exists()


@pytest.mark.slow
def test_conservation_under_random_operations(db):
    run_state_machine_as_test(
        CertificateMachine,
        settings=settings(max_examples=15, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
