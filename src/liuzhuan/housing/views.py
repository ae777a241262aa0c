"""Housing pages: the pool, a unit with its history, transactions with the registration checklist,
the pool dashboard. Thin: parse, call an action or a query, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from liuzhuan.certificates.ledger.uploads import upload_limit
from liuzhuan.certificates.ledger.views import get_or_404, perform
from liuzhuan.core.dates import today_china
from liuzhuan.core.money import format_yuan
from liuzhuan.core.roles import OVERSIGHT_ROLES, Role
from liuzhuan.core.uploads import read_limited
from liuzhuan.core.views import require_page_role

from . import actions, offsetting, queries, rules
from . import forms as f
from .filters import TransactionFilter, UnitFilter
from .models import OPEN_TX_STATUSES, TxKind, TxStatus, UnitStatus

PAGE_ROLES = (Role.MEMBER, Role.HOUSING, *OVERSIGHT_ROLES)


def _is_housing(request) -> bool:
    return request.user.organisation.has_role(Role.HOUSING)


@login_required
def pool(request):
    require_page_role(request, *PAGE_ROLES)
    fs = UnitFilter(request.GET, queryset=queries.visible_units(request.user))
    page = Paginator(fs.qs if fs.is_valid() else fs.queryset.none(), 30).get_page(request.GET.get("page"))
    return render(request, "housing/pool.html", {"filter": fs, "page": page, "is_housing": _is_housing(request)})


@login_required
def unit_new(request):
    require_page_role(request, Role.HOUSING)
    form = f.UnitForm(request.POST or None, initial={"valuation_date": today_china()})
    if request.method == "POST" and form.is_valid():
        unit = perform(request, lambda: actions.add_unit(request.user, **form.cleaned_data), lambda u: f"房源 {u.number} 已入池，可供凭证抵付或销售。", form)
        if unit is not None:
            return redirect("housing:unit", unit_id=unit.pk)
    return render(request, "housing/form.html", {"form": form, "title": "登记房源入池", "button": "入池"})


@login_required
def handover_new(request):
    require_page_role(request, Role.HOUSING)
    org_id = request.user.organisation_id
    form = f.HandoverForm(request.POST or None, org_id=org_id, initial={"valuation_date": today_china(), "contract_date": today_china()})
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        owner_id = d.pop("owner_id")
        tx = perform(request, lambda: actions.open_handover(request.user, owner_id, **d),
                     lambda t: f"房产移交 {t.number} 已登记，凭证开具申请 {t.application.number} 已发起，待移交方确认。", form)
        if tx is not None:
            return redirect("housing:transaction", tx_id=tx.pk)
    return render(request, "housing/form.html", {"form": form, "title": "登记房产移交", "button": "登记移交并发起凭证申请",
                                                 "hint": "移交的约定价款经正常开具流程成为凭证：盘活主体为债务人、移交方为债权人；"
                                                         "移交方上传协议并确认、盘活主体确认后，由债权管理服务机构初审与复核。"})


@login_required
def unit(request, unit_id: int):
    require_page_role(request, *PAGE_ROLES)
    user = request.user
    u = get_or_404(lambda: queries.get_unit(user, unit_id))
    manages = u.manager_id == user.organisation_id
    is_member = user.organisation.has_role(Role.MEMBER) and not manages
    forms_ = {"revalue": f.RevalueForm(initial={"valuation_date": today_china()}), "withdraw": f.ReasonForm(),
              "sale": f.SaleForm(org_id=user.organisation_id), "exchange": f.ExchangeForm(), "take": f.OpenOffsetForm(org_id=user.organisation_id)}
    if request.method == "POST":
        verb = request.POST.get("form")
        if verb not in forms_ or (verb == "take") != is_member or (verb != "take" and not manages):
            raise Http404("页面不存在")
        form = type(forms_[verb])(request.POST, **({"org_id": user.organisation_id} if verb in ("sale", "take") else {}))
        forms_[verb] = form
        if form.is_valid():
            d = form.cleaned_data
            call = {
                "revalue": lambda: actions.revalue_unit(user, u.pk, d["valuation_fen"], d["valuation_basis"], d["valuation_date"]),
                "withdraw": lambda: actions.withdraw_unit(user, u.pk, d["reason"]),
                "sale": lambda: actions.open_cash_sale(user, u.pk, **d),
                "exchange": lambda: actions.open_exchange_back(user, u.pk, **d),
                "take": lambda: offsetting.open_offset(user, u.pk, d["co_holders"]),
            }[verb]
            done = perform(request, call, "已办理。" if verb in ("revalue", "withdraw") else
                           (lambda t: f"已登记{t.get_kind_display()} {t.number}，房源已锁定。"), form)
            if done is not None:
                return redirect("housing:unit", unit_id=u.pk) if verb in ("revalue", "withdraw") else redirect("housing:transaction", tx_id=done.pk)
    return render(request, "housing/unit.html", {
        "u": u, "manages": manages, "is_member": is_member, "forms": forms_, "in_pool": u.status == UnitStatus.IN_POOL,
        "transactions": queries.visible_transactions(user).filter(unit=u), "events": queries.history(u),
    })


@login_required
def transactions(request):
    require_page_role(request, *PAGE_ROLES)
    fs = TransactionFilter(request.GET, queryset=queries.visible_transactions(request.user))
    page = Paginator(fs.qs if fs.is_valid() else fs.queryset.none(), 30).get_page(request.GET.get("page"))
    return render(request, "housing/transactions.html", {"filter": fs, "page": page})


def _tx_side(user, tx) -> str | None:
    org = user.organisation
    if tx.manager_id == org.pk:
        return "housing"
    if tx.kind == TxKind.CERTIFICATE_OFFSET and (tx.counterparty_id == org.pk or tx.co_holders.filter(pk=org.pk).exists()):
        return "holder"
    if org.has_role(Role.OPERATOR):
        return "operator"
    return None


@login_required
def transaction(request, tx_id: int):
    require_page_role(request, *PAGE_ROLES)
    user = request.user
    tx = get_or_404(lambda: queries.get_transaction(user, tx_id))
    side = _tx_side(user, tx)
    pieces = list(queries.offerable_pieces(user.organisation_id, tx.manager_id)) if side == "holder" else []
    forms_ = {"step": f.StepForm(initial={"done_on": today_china()}), "payment": f.PaymentForm(initial={"paid_on": today_china()}),
              "top_up": f.TopUpForm(initial={"paid_on": today_china()}), "piece": f.PieceForm(pieces=pieces), "deliver": f.DeliverForm(),
              "cancel": f.ReasonForm()}
    if request.method == "POST":
        verb = request.POST.get("form")
        if side is None:
            raise Http404("盘活业务不存在")
        done = None
        if verb in forms_:
            kwargs = {"pieces": pieces} if verb == "piece" else {}
            form = type(forms_[verb])(request.POST, request.FILES or None, **kwargs)
            forms_[verb] = form
            if form.is_valid():
                d = form.cleaned_data
                call = {
                    "step": lambda: actions.record_step(user, tx.pk, d["step"], d["ref_no"], d["done_on"]),
                    "payment": lambda: actions.record_payment(user, tx.pk, **d),
                    "top_up": lambda: offsetting.record_top_up(user, tx.pk, **d),
                    "piece": lambda: offsetting.add_piece(user, tx.pk, d["piece_id"], d["amount_fen"]),
                    "deliver": lambda: offsetting.deliver(
                        user, tx.pk, delivery_doc=read_limited(d["delivery_doc"], upload_limit(), "delivery_doc"),
                        title_doc=read_limited(d["title_doc"], upload_limit(), "title_doc"),
                        delivery_name=d["delivery_doc"].name, title_name=d["title_doc"].name),
                    "cancel": lambda: (offsetting.cancel if tx.kind == TxKind.CERTIFICATE_OFFSET else actions.cancel)(user, tx.pk, d["reason"]),
                }[verb]
                done = perform(request, call, "已登记。", form)
        elif verb == "agree":
            done = perform(request, lambda: offsetting.agree(user, tx.pk), "已确认凭证抵付，下一步办理网签与登记。")
        elif verb == "receipt":
            done = perform(request, lambda: offsetting.confirm_receipt(user, tx.pk), "已确认收到房产。")
        elif verb == "complete":
            fn = offsetting.complete if tx.kind == TxKind.CERTIFICATE_OFFSET else actions.complete
            done = perform(request, lambda: fn(user, tx.pk), lambda t: f"盘活业务 {t.number} 已办结。")
        else:
            raise Http404("页面不存在")
        if done is not None:
            return redirect("housing:transaction", tx_id=tx.pk)
        tx = queries.get_transaction(user, tx_id)
    credit = offsetting.credit_fen(tx)
    return render(request, "housing/transaction.html", {
        "tx": tx, "side": side, "forms": forms_, "checklist": queries.checklist(tx), "missing": actions.missing_steps(tx),
        "shares": tx.shares.select_related("offset", "offset__piece", "holder"), "credit_fen": credit,
        "top_up_fen": rules.top_up_fen(tx.price_fen, credit) if tx.kind == TxKind.CERTIFICATE_OFFSET else 0,
        "is_open": tx.status in OPEN_TX_STATUSES, "is_co_holder": side == "holder" and tx.counterparty_id != user.organisation_id,
        "events": queries.history(tx.unit).filter(object_type="housing.housingtransaction", object_id=str(tx.pk)),
        "price_yuan": format_yuan(tx.price_fen), "statuses": TxStatus,
    })


@login_required
def dashboard(request):
    require_page_role(request, *PAGE_ROLES)
    return render(request, "housing/dashboard.html", {"d": queries.dashboard(request.user)})
