"""我的凭证: the member's dashboard, a certificate, a piece (chain of title, transfer), and the
piece's page for pledging, offsetting or selling it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from liuzhuan.core.dates import today_china
from liuzhuan.core.forms import run_action
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import Role
from liuzhuan.core.views import paged, require_page_role
from liuzhuan.members.queries import sees_all

from ..circulation import actions as circulation
from ..circulation.forms import BatchTransferForm, TransferForm
from ..circulation.queries import offers_in, offers_out
from ..issuance.queries import visible_applications
from ..ledger.models import Certificate, CertificateConfig, Piece
from ..ledger.queries import chain_of_title, piece_summary
from ..ledger.views import perform
from ..offset import actions as offset
from ..offset.forms import OffsetForm
from ..pledge import actions as pledge
from ..pledge.forms import PledgeForm
from ..purchase import actions as purchase
from ..purchase.forms import SaleForm
from ..purchase.models import CommitmentStatus
from ..purchase.queries import commitments_on
from . import queries


def dashboard_section(request):
    org = request.user.organisation
    if not org or not org.has_role(Role.MEMBER):
        return None
    return {"title": "债权凭证", "template": "certificates/_dashboard_section.html", "context": {
        "totals": queries.holdings_total(org.pk), "offers_in": offers_in(org.pk).count(),
        "as_debtor": queries.as_debtor(org.pk).filter(status="active").aggregate(t=Sum("face_fen"))["t"] or 0,
    }}


@login_required
def dashboard(request):
    require_page_role(request, Role.MEMBER)
    org = request.user.organisation
    # a supplier may hold thousands of pieces: both long lists page (50 a page), the totals are aggregates
    return render(request, "certificates/dashboard.html", {
        "pieces": paged(request, queries.held_pieces(org.pk)), "totals": queries.holdings_total(org.pk),
        "offers_in": offers_in(org.pk), "offers_out": offers_out(org.pk),
        "debts": paged(request, queries.as_debtor(org.pk), "dpage"),
        "applications": visible_applications(request.user).exclude(status__in=["issued", "withdrawn", "rejected"])[:50],
    })


@login_required
def certificate(request, cert_id: int):
    cert = get_object_or_404(Certificate.objects.select_related("creditor", "debtor", "application"), pk=cert_id)
    org = request.user.organisation
    if not (sees_all(request.user) or org.pk in (cert.creditor_id, cert.debtor_id)):
        raise Http404("凭证不存在")
    pieces = cert.pieces.select_related("holder", "parent", "certificate__application")
    if not sees_all(request.user) and org.pk != cert.debtor_id:
        pieces = pieces.filter(holder=org)
    return render(request, "certificates/certificate.html", {"cert": cert, "pieces": pieces})


@login_required
def piece(request, piece_id: int):
    p = Piece.objects.select_related("certificate", "certificate__application", "holder", "certificate__debtor").filter(pk=piece_id).first()
    if p is None or not queries.can_view_piece(request.user, p):
        raise Http404("凭证分段不存在")
    org = request.user.organisation
    is_holder = p.holder_id == org.pk
    form, batch_form = TransferForm(org=org, debtor_id=p.certificate.debtor_id), BatchTransferForm()
    if request.method == "POST":
        if not is_holder:
            raise Http404("凭证分段不存在")
        if request.POST.get("form") == "batch":
            batch_form = BatchTransferForm(request.POST)
            if batch_form.is_valid():
                items = [circulation.OfferItem(p.pk, to, amount, ref) for to, amount, ref in batch_form.cleaned_data["lines"]]
                offers = run_action(batch_form, lambda: circulation.offer_transfers(request.user, items))
                if offers:
                    total = format_yuan(sum(o.amount_fen for o in offers))
                    messages.success(request, f"已发出 {len(offers)} 笔转让，合计 {total}，等待各受让方于 {offers[0].deadline:%Y-%m-%d} 前接收。")
                    return redirect("certificates:dashboard")
        else:
            form = TransferForm(request.POST, org=org, debtor_id=p.certificate.debtor_id)
            if form.is_valid():
                d = form.cleaned_data
                item = circulation.OfferItem(p.pk, d["to_org"].pk, d["amount"], d["agreement_ref"], d["fee_payer"], d["fee_share_pct"])
                offers = run_action(form, lambda: circulation.offer_transfers(request.user, [item]))
                offer = offers[0] if offers else None
                if offer:
                    messages.success(request, f"已向 {offer.to_org.name} 发出转让 {format_yuan(offer.amount_fen)}，等待对方于 {offer.deadline:%Y-%m-%d} 前接收。")
                    return redirect("certificates:dashboard")
    return render(request, "certificates/piece.html", {
        "piece": p, "cert": p.certificate, "app": p.certificate.application, "chain": chain_of_title(p),
        "is_holder": is_holder, "form": form, "batch_form": batch_form, "config": CertificateConfig.get(), "summary": piece_summary(p),
        "open_offer": p.offers.filter(status="offered").select_related("to_org").first(),
    })


@login_required
def piece_actions(request, piece_id: int):
    org = request.user.organisation
    piece = Piece.objects.select_related("certificate", "certificate__application", "certificate__debtor", "holder").filter(
        pk=piece_id, holder=org).first()
    if piece is None:
        raise Http404("凭证分段不存在")
    cert = piece.certificate
    commitments = [c for c in commitments_on(cert) if c.status == CommitmentStatus.ACTIVE and c.provider_id != org.pk]
    pledge_form = PledgeForm(org=org, initial={"start_date": today_china()})
    offset_form = OffsetForm()
    sale_form = SaleForm(commitments=commitments)
    if request.method == "POST":
        kind = request.POST.get("form")
        user = request.user
        if kind == "pledge":
            pledge_form = PledgeForm(request.POST, org=org)
            if pledge_form.is_valid():
                d = pledge_form.cleaned_data
                p = perform(request, lambda: pledge.create_pledge(user, piece.pk, d["pledgee"].pk, d["amount"], d["contract_ref"], d["secured"],
                                                                  d["start_date"], d["end_date"], d["fee_payer"], d["fee_share_pct"]),
                            lambda p: f"已发起质押 {p.number}：{format_yuan(p.amount_fen)} 质押给 {p.pledgee.name}，等待质权人录入统一登记编号后生效。",
                            pledge_form)
                if p:
                    return redirect("certificates:lc_pledge", pledge_id=p.pk)
        elif kind == "offset":
            offset_form = OffsetForm(request.POST)
            if offset_form.is_valid():
                d = offset_form.cleaned_data
                o = perform(request, lambda: offset.apply_offset(
                    user, piece.pk, d["kind"], d["amount"], d["note"], payable_contract_ref=d["payable_contract_ref"],
                    payable_fen=d["payable_fen"], payable_due_date=d["payable_due_date"]),
                            lambda o: f"已向债务人提交抵付申请 {o.number}（{format_yuan(o.amount_fen)}），该分段已锁定；下一步由债务人提供可抵付清单。",
                            offset_form)
                if o:
                    return redirect("certificates:lc_offset", offset_id=o.pk)
        elif kind == "sell":
            sale_form = SaleForm(request.POST, commitments=commitments)
            if sale_form.is_valid():
                d = sale_form.cleaned_data
                s = perform(request, lambda: purchase.apply_sale(user, piece.pk, int(d["commitment"]), d["amount"]),
                            lambda s: f"已申请收购 {s.number}（{format_yuan(s.amount_fen)}），该分段已锁定，等待服务提供方付款确认。", sale_form)
                if s:
                    return redirect("certificates:lc_sale", sale_id=s.pk)
        else:
            raise Http404("页面不存在")
    return render(request, "certificates/holdings/piece_actions.html", {
        "piece": piece, "cert": cert, "app": cert.application, "panel": queries.piece_panel(piece), "commitments": commitments,
        "pledge_form": pledge_form, "offset_form": offset_form, "sale_form": sale_form, "today": today_china(),
    })
