"""Set-off API (/api/v1/setoff): the obligation register, runs and agreements.

Schema names carry the ``Setoff`` prefix so they never collide with another app's in the OpenAPI
document; every id is bounded so an out-of-range number is a 422, not a database error.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from liuzhuan.core.api_pages import paged, rows
from liuzhuan.core.api_types import Date, Id, IdIn, PositiveFen
from liuzhuan.core.errors import PermissionDenied
from liuzhuan.core.uploads import read_limited
from liuzhuan.members.api_auth import acting_user
from liuzhuan.members.queries import sees_all

from . import queries
from .agreements import actions as agreement_actions
from .models import Agreement, Channel, Obligation, SetoffRun
from .register import actions as register_actions
from .register import rules as register_rules
from .runs import actions as run_actions

router = Router(tags=["债权债务抵销"])



class SetoffObligationIn(Schema):
    creditor_uscc: str = Field(..., max_length=30, description="债权人统一社会信用代码")
    debtor_uscc: str = Field(..., max_length=30, description="债务人统一社会信用代码")
    amount_fen: PositiveFen = Field(..., description="金额（分）")
    basis: str = Field(..., min_length=1, max_length=100, description="债权债务依据（合同/发票编号）")
    due_date: Date | None = None
    note: str = Field("", max_length=200)


class SetoffObligationOut(Schema):
    id: int
    number: str
    creditor_id: int
    creditor_name: str
    debtor_id: int
    debtor_name: str
    amount_fen: int
    outstanding_fen: int
    basis: str
    due_date: dt.date | None
    status: str
    status_label: str
    registered_by_org_id: int
    opted_out: bool
    dispute_reason: str

    @staticmethod
    def of(o: Obligation) -> SetoffObligationOut:
        return SetoffObligationOut(
            id=o.pk, number=o.number, creditor_id=o.creditor_id, creditor_name=o.creditor.name, debtor_id=o.debtor_id,
            debtor_name=o.debtor.name, amount_fen=o.amount_fen, outstanding_fen=o.outstanding_fen, basis=o.basis,
            due_date=o.due_date, status=o.status, status_label=o.get_status_display(),
            registered_by_org_id=o.registered_by_org_id, opted_out=o.opted_out, dispute_reason=o.dispute_reason)


class SetoffImportOut(Schema):
    rows: int
    created: int
    matched: int
    refused: int
    errors: list[dict]


class SetoffIdsIn(Schema):
    ids: list[IdIn] = Field(..., min_length=1, max_length=1000)


class SetoffReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class SetoffRunOut(Schema):
    id: int
    number: str
    status: str
    phase: str
    progress: int
    trigger: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    obligations_count: int
    parties_count: int
    total_fen: int
    nid_fen: int
    cleared_fen: int
    cleared_pct: str
    agreements: int
    chains: int
    paid_fen: int
    cleared_without_cash_fen: int | None
    snapshot_sha256: str
    error: str

    @staticmethod
    def of(r: SetoffRun) -> SetoffRunOut:
        return SetoffRunOut(
            id=r.pk, number=r.number, status=r.status, phase=r.phase, progress=r.progress, trigger=r.trigger,
            created_at=r.created_at, finished_at=r.finished_at, obligations_count=r.obligations_count,
            parties_count=r.parties_count, total_fen=r.total_fen, nid_fen=r.nid_fen, cleared_fen=r.cleared_fen,
            cleared_pct=r.cleared_pct, agreements=r.loops_count, chains=r.chain_count, paid_fen=r.paid_fen,
            cleared_without_cash_fen=r.cleared_without_liquidity_fen, snapshot_sha256=r.snapshot_sha256, error=r.error)


class SetoffPartyOut(Schema):
    organisation_id: int
    name: str
    decision: str
    decided_at: dt.datetime | None


class SetoffPartOut(Schema):
    leg: int
    obligation_id: int | None = Field(None, description="登记的债权债务；为空时是凭证分段")
    piece_id: int | None = Field(None, description="债权凭证分段（凭证债务人欠持有人）")
    number: str
    debtor_id: int
    creditor_id: int
    amount_fen: int


class SetoffAgreementOut(Schema):
    id: int
    number: str
    run_id: int
    kind: str
    amount_fen: int
    status: str
    status_label: str
    deadline: dt.date
    close_reason: str
    parties: list[SetoffPartyOut]
    parts: list[SetoffPartOut] | None = None

    @staticmethod
    def of(a: Agreement, *, detail: bool = False) -> SetoffAgreementOut:
        parties = [SetoffPartyOut(organisation_id=p.organisation_id, name=p.organisation.name, decision=p.decision,
                                  decided_at=p.decided_at) for p in a.party_list]
        parts = None
        if detail:
            parts = []
            for p in queries.agreement_parts(a):
                debtor, creditor = queries.part_parties(p)
                parts.append(SetoffPartOut(leg=p.leg, obligation_id=p.obligation_id, piece_id=p.piece_id,
                                           number=queries.part_label(p)[0], debtor_id=debtor.pk,
                                           creditor_id=creditor.pk, amount_fen=p.amount_fen))
        return SetoffAgreementOut(id=a.pk, number=a.number, run_id=a.run_id, kind=a.kind, amount_fen=a.amount_fen,
                                  status=a.status, status_label=a.get_status_display(), deadline=a.deadline,
                                  close_reason=a.close_reason, parties=parties, parts=parts)


def _obligation(user, obligation_id: int) -> SetoffObligationOut:
    return SetoffObligationOut.of(queries.get_obligation(user, obligation_id))


# --- register ------------------------------------------------------------------------------------


@router.get("/obligations", response=list[SetoffObligationOut], summary="债权债务（本单位相关；运营与监管可见全部）")
@paged(500, default=100)
def list_obligations(request: HttpRequest,
                     side: Literal["", "receivable", "payable", "awaiting"] = "",
                     status: Literal["", "pending", "confirmed", "disputed", "withdrawn", "settled"] = ""):
    return rows(queries.obligations(acting_user(request), side=side, status=status), SetoffObligationOut.of)


@router.post("/obligations", response={201: SetoffObligationOut}, summary="登记一笔债权债务（本单位须为一方）")
def register_obligation(request: HttpRequest, payload: SetoffObligationIn):
    user = acting_user(request, write=True)
    o = register_actions.register_one(user, creditor=payload.creditor_uscc, debtor=payload.debtor_uscc,
                                      amount_fen=payload.amount_fen, basis=payload.basis, due=payload.due_date,
                                      note=payload.note, channel=Channel.API)
    return Status(201, _obligation(user, o.pk))


@router.post("/obligations/import", response={200: SetoffImportOut, 422: dict},
             summary="按模板批量导入（.xlsx/.csv；整体生效，任一行有误则不登记并返回逐行报告）")
def import_obligations(request: HttpRequest, file: File[UploadedFile]):
    user = acting_user(request, write=True)
    report = register_actions.import_file(user, file.name or "", read_limited(file, register_rules.MAX_BYTES))
    return report.as_dict()


@router.post("/obligations/confirm", response=list[SetoffObligationOut], summary="确认对方登记的债务（可批量）")
def confirm_obligations(request: HttpRequest, payload: SetoffIdsIn):
    user = acting_user(request, write=True)
    done = register_actions.confirm(user, payload.ids)
    return [_obligation(user, o.pk) for o in done]


@router.get("/obligations/{obligation_id}", response=SetoffObligationOut, summary="债权债务详情")
def get_obligation(request: HttpRequest, obligation_id: Id):
    return _obligation(acting_user(request), obligation_id)


@router.post("/obligations/{obligation_id}/dispute", response=SetoffObligationOut, summary="对对方登记的债务提出异议")
def dispute_obligation(request: HttpRequest, obligation_id: Id, payload: SetoffReasonIn):
    user = acting_user(request, write=True)
    register_actions.dispute(user, obligation_id, payload.reason)
    return _obligation(user, obligation_id)


@router.post("/obligations/{obligation_id}/withdraw", response=SetoffObligationOut, summary="撤回本单位未获确认的登记")
def withdraw_obligation(request: HttpRequest, obligation_id: Id):
    user = acting_user(request, write=True)
    register_actions.withdraw(user, obligation_id)
    return _obligation(user, obligation_id)


@router.post("/obligations/{obligation_id}/rejoin", response=SetoffObligationOut, summary="重新参与抵销测算")
def rejoin_obligation(request: HttpRequest, obligation_id: Id):
    user = acting_user(request, write=True)
    register_actions.rejoin(user, obligation_id)
    return _obligation(user, obligation_id)


# --- declared cash for debt chains ---------------------------------------------------------------


class SetoffCashIn(Schema):
    amount_fen: PositiveFen = Field(..., description="可用于清偿的现金（分）")
    valid_until: Date
    note: str = Field("", max_length=200)


class SetoffCashOut(Schema):
    id: int
    organisation_id: int
    provider_id: int | None
    amount_fen: int
    used_fen: int
    remaining_fen: int
    valid_until: Date
    status: str
    note: str

    @staticmethod
    def of(d) -> SetoffCashOut:
        return SetoffCashOut(id=d.pk, organisation_id=d.organisation_id, provider_id=d.provider_id, amount_fen=d.amount_fen, used_fen=d.used_fen,
                             remaining_fen=d.remaining_fen, valid_until=d.valid_until, status=d.status, note=d.note)


@router.get("/cash", response=list[SetoffCashOut], summary="现金清偿意愿（本单位的；运营与监管可见全部）")
@paged(500, default=100)
def list_cash(request: HttpRequest):
    return rows(queries.cash_declarations(acting_user(request)), SetoffCashOut.of)


@router.post("/cash", response={201: SetoffCashOut}, summary="申报可用于债务链清偿的现金")
def declare_cash(request: HttpRequest, payload: SetoffCashIn):
    d = register_actions.declare_cash(acting_user(request, write=True), amount_fen=payload.amount_fen,
                                      valid_until=payload.valid_until, note=payload.note)
    return Status(201, SetoffCashOut.of(d))


class SetoffFundIn(Schema):
    payer_uscc: str = Field(..., min_length=1, max_length=18, description="付款单位（会员）统一社会信用代码")
    amount_fen: PositiveFen = Field(..., description="提供的资金（分）")
    valid_until: Date
    note: str = Field("", max_length=200)


@router.post("/cash/fund", response={201: SetoffCashOut},
             summary="为会员提供债务链清偿资金（市场化收购主体、运营机构；执行后该会员对出资方负有等额债务）")
def fund_cash(request: HttpRequest, payload: SetoffFundIn):
    d = register_actions.fund_cash(acting_user(request, write=True), payer_uscc=payload.payer_uscc,
                                   amount_fen=payload.amount_fen, valid_until=payload.valid_until, note=payload.note)
    return Status(201, SetoffCashOut.of(d))


@router.post("/cash/{declaration_id}/withdraw", response=SetoffCashOut, summary="撤回现金清偿意愿")
def withdraw_cash(request: HttpRequest, declaration_id: Id):
    return SetoffCashOut.of(register_actions.withdraw_cash(acting_user(request, write=True), declaration_id))


# --- the pledgee's standing consent -------------------------------------------------------------


class SetoffConsentIn(Schema):
    note: str = Field("", max_length=200, description="说明（可选）")


class SetoffConsentOut(Schema):
    id: int
    organisation_id: int
    status: str
    note: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @staticmethod
    def of(c) -> SetoffConsentOut:
        return SetoffConsentOut(id=c.pk, organisation_id=c.organisation_id, status=c.status, note=c.note,
                                given_at=c.given_at, withdrawn_at=c.withdrawn_at)


@router.get("/consent", response=list[SetoffConsentOut], summary="质权人概括同意（本单位的；运营与监管可见全部）")
def list_consent(request: HttpRequest):
    return [SetoffConsentOut.of(c) for c in queries.consent_overview(acting_user(request))["consents"]]


@router.post("/consent", response={201: SetoffConsentOut},
             summary="质权人概括同意：质押给本单位的分段可参与抵销")
def give_consent(request: HttpRequest, payload: SetoffConsentIn):
    return Status(201, SetoffConsentOut.of(register_actions.give_pledgee_consent(acting_user(request, write=True),
                                                                                  payload.note)))


@router.post("/consent/withdraw", response=SetoffConsentOut, summary="撤回质权人概括同意")
def withdraw_consent(request: HttpRequest):
    return SetoffConsentOut.of(register_actions.withdraw_pledgee_consent(acting_user(request, write=True)))


# --- runs ----------------------------------------------------------------------------------------


def _require_run_viewer(user) -> None:
    org = user.organisation
    if org is None or not (sees_all(user) or org.has_role("member")):
        raise PermissionDenied("无权查看抵销测算")


@router.post("/runs", response={202: SetoffRunOut}, summary="发起抵销测算（运营机构；后台计算）")
def start_run(request: HttpRequest):
    return Status(202, SetoffRunOut.of(run_actions.start_run(acting_user(request, write=True))))


@router.get("/runs", response=list[SetoffRunOut], summary="抵销测算批次")
@paged(200, default=50)
def list_runs(request: HttpRequest):
    user = acting_user(request)
    _require_run_viewer(user)
    return rows(queries.runs(), SetoffRunOut.of)


@router.get("/runs/{run_id}", response=SetoffRunOut, summary="测算批次详情（含进度）")
def get_run(request: HttpRequest, run_id: Id):
    user = acting_user(request)
    _require_run_viewer(user)
    return SetoffRunOut.of(queries.get_run(user, run_id))


# --- agreements ----------------------------------------------------------------------------------


@router.get("/agreements", response=list[SetoffAgreementOut], summary="抵销协议（本单位参与的；运营与监管可见全部）")
@paged(500, default=100)
def list_agreements(request: HttpRequest,
                    status: Literal["", "proposed", "executed", "declined", "lapsed", "voided"] = "",
                    run_id: Id | None = None):
    return rows(queries.agreements(acting_user(request), status=status, run_id=run_id), SetoffAgreementOut.of)


@router.get("/agreements/{agreement_id}", response=SetoffAgreementOut, summary="抵销协议详情（参与方与各笔债务）")
def get_agreement(request: HttpRequest, agreement_id: Id):
    return SetoffAgreementOut.of(queries.get_agreement(acting_user(request), agreement_id), detail=True)


@router.post("/agreements/{agreement_id}/confirm", response=SetoffAgreementOut,
             summary="确认抵销协议（最后一方确认时自动执行）")
def confirm_agreement(request: HttpRequest, agreement_id: Id):
    user = acting_user(request, write=True)
    agreement_actions.confirm(user, agreement_id)
    return SetoffAgreementOut.of(queries.get_agreement(user, agreement_id), detail=True)


@router.post("/agreements/{agreement_id}/decline", response=SetoffAgreementOut, summary="拒绝抵销协议")
def decline_agreement(request: HttpRequest, agreement_id: Id, payload: SetoffReasonIn):
    user = acting_user(request, write=True)
    agreement_actions.decline(user, agreement_id, payload.reason)
    return SetoffAgreementOut.of(queries.get_agreement(user, agreement_id), detail=True)


@router.get("/overview", response=dict, summary="登记、确认与累计抵销（运营、监管、财政）")
def overview(request: HttpRequest):
    user = acting_user(request)
    if not sees_all(user):
        raise PermissionDenied("仅运营机构、监管部门和财政局可查看")
    return queries.overview()
