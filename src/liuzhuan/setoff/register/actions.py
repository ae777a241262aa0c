"""Writers of the obligation register: register (form, upload, API), confirm, dispute, withdraw, rejoin.

Each public function is one transaction. A registration by one side is *pending* until the other
side confirms it, or registers the same debt itself (same parties, amount and basis: a match);
only confirmed obligations take part in set-off runs. An upload is all or nothing: if any row is
refused, nothing is stored and the report names every refused row and why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from liuzhuan.core import audit
from liuzhuan.core.dates import today_china
from liuzhuan.core.errors import Conflict, DomainError, NotFound
from liuzhuan.core.money import format_plain, format_yuan
from liuzhuan.core.numbers import next_numbers
from liuzhuan.core.permissions import require_role, require_write_access
from liuzhuan.core.roles import Role
from liuzhuan.core.sql import insert_rows
from liuzhuan.members.actions import notice, notify, notify_all
from liuzhuan.members.identity import clean_legal_id
from liuzhuan.members.models import Organisation, OrgStatus, User
from liuzhuan.members.queries import active_counterparties

from ..models import (
    LIVE_STATUSES,
    Channel,
    LiquidityDeclaration,
    LiquidityStatus,
    Obligation,
    ObligationStatus,
    ObligationUpload,
    PledgeeConsent,
    UploadStatus,
)
from . import rules
from .rules import Row, RowError

NUMBER_PREFIX = "ZW"


def member_org(actor: User) -> Organisation:
    """The acting member organisation (active, holding the member role, not read-only)."""
    require_role(actor, Role.MEMBER)
    require_write_access(actor)
    return actor.organisation


@dataclass
class ImportReport:
    """What an import did (or would have done): counts and every refused row with its reason."""

    rows: int = 0
    created: int = 0
    matched: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self, limit: int = 500) -> dict:
        return {
            "rows": self.rows, "created": self.created, "matched": self.matched, "refused": len(self.errors),
            "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in self.errors[:limit]],
        }


class ImportRefused(DomainError):
    """Some rows were refused; nothing was stored. ``report`` lists them."""

    status = 422

    def __init__(self, report: ImportReport):
        first = report.errors[0]
        where = f"第 {first.line} 行" + (f"“{first.column}”" if first.column else "")
        more = f"等 {len(report.errors)} 处问题" if len(report.errors) > 1 else ""
        super().__init__("rows_refused", f"导入未执行：{where}{first.message}{more}；请修改后重新上传，本次未登记任何数据",
                         field="file")
        self.report = report

    def as_dict(self) -> dict:
        return {**super().as_dict(), "report": self.report.as_dict()}


# --- registering ------------------------------------------------------------------------------


def import_file(actor: User, name: str, content: bytes, progress=None) -> ImportReport:
    """Register every row of an uploaded CSV/XLSX (the platform's template), all or nothing.

    ``progress(phase, pct)``, if given, is told how far it got (the worker's uploads use it)."""
    org = member_org(actor)
    if progress:
        progress("读取文件", 10)
    table = rules.read_table(name, content)
    if progress:
        progress("逐行校验", 40)
    rows, errors = rules.check_rows(table, today_china())
    if progress:
        progress("核对与登记", 70)
    return _register(actor, org, rows, errors, Channel.UPLOAD, total=len(rows) + len({e.line for e in errors}))


#: files larger than this are read, checked and registered by the task worker, with progress
WORKER_FROM_BYTES = 1024 * 1024


def submit_upload(actor: User, name: str, content: bytes) -> ObligationUpload:
    """Queue a large upload for the worker (on commit); the member follows it on its page."""
    org = member_org(actor)
    if len(content) > rules.MAX_BYTES:
        raise rules.FileRefused(f"文件超过 {rules.MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入", "file_too_large")
    if not content.strip():
        raise rules.FileRefused("文件为空", "empty_file")
    with transaction.atomic():
        up = ObligationUpload.objects.create(organisation=org, uploaded_by=actor, name=(name or "")[:200],
                                             content=content, size=len(content),
                                             sha256=hashlib.sha256(content).hexdigest(), phase="排队等待导入")
        audit.record(actor, "obligation.upload.submit", up, summary={"name": up.name, "size": up.size,
                                                                     "sha256": up.sha256})
        transaction.on_commit(lambda: process_upload.enqueue(up.pk))
    return up


@task()
def process_upload(upload_id: int) -> dict:
    """The worker's entry point for a queued upload: the same all-or-nothing import as a small file."""
    claimed = ObligationUpload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
        status=UploadStatus.RUNNING, phase="开始导入", progress=5)
    up = ObligationUpload.objects.select_related("uploaded_by__organisation").get(pk=upload_id)
    if not claimed:
        return {"status": up.status}

    def progress(phase: str, pct: int) -> None:
        ObligationUpload.objects.filter(pk=upload_id).update(phase=phase, progress=pct)

    done = {"status": UploadStatus.FAILED, "phase": "失败", "finished_at": timezone.now()}
    try:
        report = import_file(up.uploaded_by, up.name, bytes(up.content), progress)
        done.update(status=UploadStatus.DONE, phase="完成", report=report.as_dict(),
                    message=f"共 {report.rows} 行，新登记 {report.created} 笔，与对方登记相符并确认 {report.matched} 笔")
    except ImportRefused as exc:
        done.update(status=UploadStatus.REFUSED, phase="完成", report=exc.report.as_dict(), message=exc.message[:300])
    except DomainError as exc:
        done.update(status=UploadStatus.REFUSED, phase="完成", message=exc.message[:300])
    except BaseException as exc:
        done.update(message=f"导入失败（{type(exc).__name__}），未登记任何数据；请稍后重试或联系运营机构")
        ObligationUpload.objects.filter(pk=upload_id).update(progress=100, **done)
        raise
    ObligationUpload.objects.filter(pk=upload_id).update(progress=100, **done)
    return {"status": done["status"]}


def register_one(actor: User, *, creditor: str, debtor: str, amount_fen: int, basis: str,
                 due: dt.date | None = None, note: str = "", channel: str = Channel.FORM) -> Obligation:
    """Register one obligation (form or API); a refusal names the field at fault."""
    org = member_org(actor)
    cells = {"creditor": creditor or "", "debtor": debtor or "", "amount": format_plain(amount_fen),
             "basis": (basis or "").strip(), "due": due.isoformat() if due else "", "note": (note or "").strip()}
    row, errors = rules.check_row(1, cells, today_china())
    if errors:
        raise _field_error(errors[0])
    report = _register(actor, org, [row], [], channel, total=1)
    if report.errors:
        raise _field_error(report.errors[0])
    return Obligation.objects.filter(creditor__legal_id=row.creditor, debtor__legal_id=row.debtor, basis=row.basis,
                                     status__in=LIVE_STATUSES).get()


_FIELD_OF_HEADER = {header: key for key, header, _, _ in rules.COLUMNS}


def _field_error(error: RowError) -> DomainError:
    key = _FIELD_OF_HEADER.get(error.column)
    label = f"{error.column}：" if error.column else ""
    return DomainError("invalid_obligation", f"{label}{error.message}", field={"amount": "amount_fen"}.get(key, key))


def _register(actor: User, org: Organisation, rows: list[Row], errors: list[RowError], channel: str,
              total: int) -> ImportReport:
    report = ImportReport(rows=total, errors=list(errors))
    try:
        return _register_rows(actor, org, rows, report, channel)
    except IntegrityError as exc:  # the counterparty registered the same basis at the same moment
        raise Conflict("registered_concurrently", "对方刚刚登记了同一依据的债务，请刷新后核对并重新提交", field="file") from exc


def _register_rows(actor: User, org: Organisation, rows: list[Row], report: ImportReport, channel: str) -> ImportReport:
    with transaction.atomic():
        ids = {r.creditor for r in rows} | {r.debtor for r in rows}
        orgs = {o.legal_id: o for o in Organisation.objects.filter(legal_id__in=ids).prefetch_related("roles")}
        existing = _live_registrations(org.pk)
        plan: list[tuple[Row, Organisation, Organisation]] = []
        matches: dict[int, Row] = {}
        for row in rows:
            problem = _row_problem(org, row, orgs, existing, matches)
            if problem:
                report.errors.append(problem)
                continue
            creditor, debtor = orgs[row.creditor], orgs[row.debtor]
            found = existing.get((creditor.pk, debtor.pk, row.basis))
            if found is not None:
                matches[found["pk"]] = row
            else:
                plan.append((row, creditor, debtor))
        if report.errors:
            report.errors.sort(key=lambda e: e.line)
            raise ImportRefused(report)
        matched = _confirm_matches(actor, org, matches)
        created = _insert(actor, org, plan, channel)
        report.created, report.matched = len(created), len(matched)
        _notify_counterparties(org, created, matched)
        audit.record_many(actor, [
            *(audit.entry("obligation.register", o, {"number": o.number, "amount_fen": o.amount_fen,
                                                     "creditor_id": o.creditor_id, "debtor_id": o.debtor_id,
                                                     "basis": o.basis, "channel": channel}) for o in created),
            *(audit.entry("obligation.confirm", o, {"number": o.number, "how": "match"}) for o in matched),
        ])
    return report


def _live_registrations(org_id: int) -> dict[tuple[int, int, str], dict]:
    qs = Obligation.objects.filter(Q(creditor_id=org_id) | Q(debtor_id=org_id), status__in=LIVE_STATUSES)
    return {(o["creditor_id"], o["debtor_id"], o["basis"]): o
            for o in qs.values("pk", "number", "creditor_id", "debtor_id", "basis", "amount_fen", "status",
                               "registered_by_org_id")}


def _row_problem(org: Organisation, row: Row, orgs: dict[str, Organisation], existing: dict,
                 matches: dict[int, Row]) -> RowError | None:
    if org.legal_id not in (row.creditor, row.debtor):
        return RowError(row.line, "", "本单位既不是该笔债务的债权人也不是债务人，只能登记本单位的应收或应付")
    other_id = row.debtor if row.creditor == org.legal_id else row.creditor
    other = orgs.get(other_id)
    header = rules.COLUMNS[1][1] if row.creditor == org.legal_id else rules.COLUMNS[0][1]
    if other is None or other.status != OrgStatus.ACTIVE or not other.has_role(Role.MEMBER):
        return RowError(row.line, header, f"{other_id} 不是平台的正常状态会员；请对方先注册入会")
    found = existing.get((orgs[row.creditor].pk, orgs[row.debtor].pk, row.basis))
    if found is None:
        return None
    if found["registered_by_org_id"] == org.pk:
        return RowError(row.line, "", f"本单位已登记过同一依据的债务（{found['number']}），不能重复登记")
    if found["status"] != ObligationStatus.PENDING:
        label = ObligationStatus(found["status"]).label
        return RowError(row.line, "", f"同一依据的债务已登记（{found['number']}，{label}），无需再登记")
    if found["amount_fen"] != row.amount_fen:
        return RowError(row.line, rules.COLUMNS[2][1],
                        f"对方已登记同一依据的债务 {found['number']}，金额 {format_yuan(found['amount_fen'])}，"
                        f"与本行 {format_yuan(row.amount_fen)} 不一致；请核对后在“待确认”中确认或提出异议")
    if found["pk"] in matches:
        return RowError(row.line, "", f"与第 {matches[found['pk']].line} 行重复")
    return None


def _confirm_matches(actor: User, org: Organisation, matches: dict[int, Row]) -> list[Obligation]:
    if not matches:
        return []
    locked = list(Obligation.objects.select_for_update().filter(pk__in=list(matches)).order_by("pk"))
    now = timezone.now()
    for o in locked:
        if o.status != ObligationStatus.PENDING or o.amount_fen != matches[o.pk].amount_fen:
            raise Conflict("conflict", f"债务 {o.number} 刚被对方修改，请重新上传")
        o.status, o.confirmed_by, o.confirmed_at, o.confirmed_how = ObligationStatus.CONFIRMED, actor, now, "match"
    Obligation.objects.bulk_update(locked, ["status", "confirmed_by", "confirmed_at", "confirmed_how"])
    return locked


def _insert(actor: User, org: Organisation, plan: list[tuple[Row, Organisation, Organisation]],
            channel: str) -> list[Obligation]:
    if not plan:
        return []
    numbers = next_numbers(NUMBER_PREFIX, today_china().year, len(plan))
    now = timezone.now()
    fields = ["number", "creditor_id", "debtor_id", "amount_fen", "outstanding_fen", "due_date", "basis", "note",
              "status", "channel", "registered_by_org_id", "registered_by_id", "registered_at", "confirmed_how",
              "dispute_reason", "opted_out", "opted_out_reason"]
    rows = [(num, c.pk, d.pk, r.amount_fen, r.amount_fen, r.due, r.basis, r.note, ObligationStatus.PENDING, channel,
             org.pk, actor.pk, now, "", "", False, "") for num, (r, c, d) in zip(numbers, plan, strict=True)]
    pks = insert_rows(Obligation, fields, rows)
    created = []
    for pk, row in zip(pks, rows, strict=True):
        o = Obligation(pk=pk, **dict(zip(fields, row, strict=True)))
        created.append(o)
    return created


def _notify_counterparties(org: Organisation, created: list[Obligation], matched: list[Obligation]) -> None:
    per_org: dict[int, list[Obligation]] = defaultdict(list)
    for o in created:
        per_org[o.counterparty_id(org.pk)].append(o)
    notices = [
        notice(other, f"{org.name}登记了 {len(obls)} 笔与贵单位的债权债务，请确认",
               f"合计 {format_yuan(sum(o.amount_fen for o in obls))}。请在“债权债务 › 待确认”中逐笔确认或提出异议；"
               "只有双方确认的债务才参与闭环抵销。", kind="setoff.confirm_request")
        for other, obls in per_org.items()
    ]
    for o in matched:
        notices.append(notice(o.registered_by_org_id, f"债务 {o.number} 已与{org.name}的登记相符，双方确认",
                              obj=o, kind="setoff.confirmed"))
    if notices:
        notify_all(notices)


# --- the counterparty's answer ----------------------------------------------------------------


def _lock_awaiting(actor_org: Organisation, ids: Iterable[int]) -> list[Obligation]:
    """Lock pending obligations this organisation must answer; anything else is 'not found'."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise DomainError("no_selection", "请选择要处理的债务", field="ids")
    if len(ids) > 1000:
        raise DomainError("too_many", "一次最多处理 1,000 笔", field="ids")
    locked = list(Obligation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    mine = [o for o in locked if actor_org.pk in (o.creditor_id, o.debtor_id)]
    if len(mine) != len(ids):
        raise NotFound("债务不存在")
    for o in mine:
        if o.awaiting_org_id != actor_org.pk:
            raise Conflict("not_awaiting", f"债务 {o.number} 当前为“{o.get_status_display()}”，不需要本单位确认",
                           field="ids")
    return mine


def confirm(actor: User, ids: Iterable[int]) -> list[Obligation]:
    """The counterparty confirms one or more pending registrations (they become eligible)."""
    org = member_org(actor)
    with transaction.atomic():
        obls = _lock_awaiting(org, ids)
        now = timezone.now()
        for o in obls:
            o.status, o.confirmed_by, o.confirmed_at, o.confirmed_how = ObligationStatus.CONFIRMED, actor, now, "confirm"
        Obligation.objects.bulk_update(obls, ["status", "confirmed_by", "confirmed_at", "confirmed_how"])
        notify_all([notice(o.registered_by_org_id, f"{org.name}已确认债务 {o.number}", obj=o, kind="setoff.confirmed")
                    for o in obls])
        audit.record_many(actor, [audit.entry("obligation.confirm", o, {"number": o.number, "how": "confirm"})
                                  for o in obls])
    return obls


def dispute(actor: User, obligation_id: int, reason: str) -> Obligation:
    """The counterparty disputes a pending registration; it is excluded until withdrawn."""
    org = member_org(actor)
    reason = rules.required_reason(reason, "异议理由")
    with transaction.atomic():
        (o,) = _lock_awaiting(org, [obligation_id])
        o.status, o.dispute_reason = ObligationStatus.DISPUTED, reason
        o.save(update_fields=["status", "dispute_reason"])
        notify_all([notice(o.registered_by_org_id, f"{org.name}对债务 {o.number} 提出异议", reason, obj=o,
                           kind="setoff.disputed")])
        audit.record(actor, "obligation.dispute", o, summary={"number": o.number, "reason": reason})
    return o


def _lock_own(org: Organisation, obligation_id: int) -> Obligation:
    o = Obligation.objects.select_for_update().filter(pk=obligation_id).first()
    if o is None or org.pk not in (o.creditor_id, o.debtor_id):
        raise NotFound("债务不存在")
    return o


def withdraw(actor: User, obligation_id: int) -> Obligation:
    """The registering side withdraws a registration not yet confirmed (pending or disputed)."""
    org = member_org(actor)
    with transaction.atomic():
        o = _lock_own(org, obligation_id)
        if o.registered_by_org_id != org.pk:
            raise DomainError("not_registrant", "只有登记方可以撤回登记；如有异议请使用“提出异议”")
        if o.status not in (ObligationStatus.PENDING, ObligationStatus.DISPUTED):
            raise Conflict("not_withdrawable", f"债务 {o.number} 已“{o.get_status_display()}”，不能撤回")
        o.status = ObligationStatus.WITHDRAWN
        o.save(update_fields=["status"])
        audit.record(actor, "obligation.withdraw", o, summary={"number": o.number})
    return o


def rejoin(actor: User, obligation_id: int) -> Obligation:
    """A party puts an obligation it had left out (by declining an agreement) back into set-off runs."""
    org = member_org(actor)
    with transaction.atomic():
        o = _lock_own(org, obligation_id)
        if not o.opted_out:
            raise Conflict("not_opted_out", f"债务 {o.number} 已在参与抵销")
        if o.opted_out_by_id not in (None, org.pk):
            raise DomainError("not_opted_out_by_you", f"债务 {o.number} 是对方拒绝或未确认抵销协议后暂停参与的，只有对方可以恢复")
        o.opted_out, o.opted_out_reason, o.opted_out_by = False, "", None
        o.save(update_fields=["opted_out", "opted_out_reason", "opted_out_by"])
        audit.record(actor, "obligation.rejoin", o, summary={"number": o.number})
    return o


# --- declared cash for debt chains (债务链分摊) ----------------------------------------------------


def declare_cash(actor: User, *, amount_fen: int, valid_until: dt.date, note: str = "") -> LiquidityDeclaration:
    """A member declares cash it is able to pay now into debt chains, until ``valid_until``."""
    org = member_org(actor)
    _check_cash(amount_fen, valid_until, note)
    note = (note or "").strip()
    with transaction.atomic():
        d = LiquidityDeclaration.objects.create(organisation=org, amount_fen=amount_fen, valid_until=valid_until,
                                                note=note, declared_by=actor)
        audit.record(actor, "setoff.cash.declare", d, summary={"amount_fen": amount_fen,
                                                               "valid_until": valid_until.isoformat()})
    return d


#: who may put up cash for another member's debts (债务链垫付): the market purchaser and the operator
PROVIDER_ROLES = (Role.PURCHASER, Role.OPERATOR)


def fund_cash(actor: User, *, payer_uscc: str, amount_fen: int, valid_until: dt.date, note: str = "") -> LiquidityDeclaration:
    """The market purchaser or the operator puts up cash to pay a member's debts into chains. When a
    chain uses it, the member's debt it paid passes to the provider (payer → provider, confirmed),
    as when a purchaser buys the receivable; the member signs the chain agreement like any payer."""
    require_role(actor, *PROVIDER_ROLES)
    require_write_access(actor)
    provider = actor.organisation
    try:
        uscc = clean_legal_id("enterprise", payer_uscc)
    except DomainError as exc:  # the same reading as the register's, the field named as this form's
        raise DomainError(exc.code, exc.message, field="payer_uscc") from exc
    payer = active_counterparties().filter(legal_id=uscc).first()
    if payer is None:
        raise DomainError("payer_not_member", "付款单位须为已注册、状态正常的会员（按统一社会信用代码）", field="payer_uscc")
    if payer.pk == provider.pk:
        raise DomainError("payer_is_provider", "出资方不能为本单位垫付，请用“申报”登记本单位的现金", field="payer_uscc")
    _check_cash(amount_fen, valid_until, note)
    with transaction.atomic():
        d = LiquidityDeclaration.objects.create(organisation=payer, provider=provider, amount_fen=amount_fen,
                                                valid_until=valid_until, note=(note or "").strip(), declared_by=actor)
        notify(payer, f"{provider.name}为贵单位提供债务链清偿资金 {format_yuan(amount_fen)}",
               "抵销测算将据此提出债务链方案：由该资金清偿贵单位的应付，贵单位对出资方负有等额债务。"
               "方案须贵单位确认后才执行；不愿接受的可在“现金清偿意愿”中撤回。", obj=d, kind="setoff.cash")
        audit.record(actor, "setoff.cash.fund", d, summary={"payer_id": payer.pk, "amount_fen": amount_fen,
                                                            "valid_until": valid_until.isoformat()})
    return d


def _check_cash(amount_fen: int, valid_until: dt.date, note: str) -> None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError("amount_not_positive", "现金金额必须大于零", field="amount_fen")
    if amount_fen > 10**14:
        raise DomainError("amount_too_large", "现金金额超过上限", field="amount_fen")
    today = today_china()
    if valid_until is None or valid_until < today or valid_until > today + dt.timedelta(days=366):
        raise DomainError("bad_valid_until", "有效期须在今天至一年之内", field="valid_until")
    if len((note or "").strip()) > rules.NOTE_MAX:
        raise DomainError("note_too_long", f"说明不能超过 {rules.NOTE_MAX} 个字符", field="note")


def withdraw_cash(actor: User, declaration_id: int) -> LiquidityDeclaration:
    """What is left of a declaration is withdrawn — by the paying member, or by the provider who put
    the cash up; chains awaiting signatures that need it void when they come to execute."""
    require_role(actor, Role.MEMBER, *PROVIDER_ROLES)
    require_write_access(actor)
    org = actor.organisation
    with transaction.atomic():
        d = (LiquidityDeclaration.objects.select_for_update()
             .filter(Q(organisation=org) | Q(provider=org), pk=declaration_id).first())
        if d is None:
            raise NotFound("现金清偿意愿不存在")
        if d.status != LiquidityStatus.ACTIVE:
            raise Conflict("not_active", "该现金清偿意愿已撤回")
        d.status = LiquidityStatus.WITHDRAWN
        d.save(update_fields=["status"])
        audit.record(actor, "setoff.cash.withdraw", d, summary={"remaining_fen": d.remaining_fen})
    return d


# --- the pledgee's standing consent (质权人概括同意) ------------------------------------------------


def give_pledgee_consent(actor: User, note: str = "") -> PledgeeConsent:
    """A pledgee (usually a bank) lets pieces pledged to it take part in set-off runs."""
    org = member_org(actor)
    note = (note or "").strip()
    if len(note) > rules.NOTE_MAX:
        raise DomainError("note_too_long", f"说明不能超过 {rules.NOTE_MAX} 个字符", field="note")
    with transaction.atomic():
        if PledgeeConsent.objects.select_for_update().filter(organisation=org, status=LiquidityStatus.ACTIVE).exists():
            raise Conflict("consent_active", "本单位已作出概括同意")
        try:
            with transaction.atomic():
                c = PledgeeConsent.objects.create(organisation=org, note=note, given_by=actor)
        except IntegrityError as exc:  # another clerk of the same bank, at the same moment
            raise Conflict("consent_active", "本单位已作出概括同意") from exc
        audit.record(actor, "setoff.consent.give", c, summary={"note": note})
    return c


def withdraw_pledgee_consent(actor: User) -> PledgeeConsent:
    """From now on pieces pledged to this member stay out of runs; agreements awaiting signatures
    that would set one off are voided when they come to execute (the re-check at execution)."""
    org = member_org(actor)
    with transaction.atomic():
        c = PledgeeConsent.objects.select_for_update().filter(organisation=org, status=LiquidityStatus.ACTIVE).first()
        if c is None:
            raise NotFound("本单位没有有效的概括同意")
        c.status, c.withdrawn_by, c.withdrawn_at = LiquidityStatus.WITHDRAWN, actor, timezone.now()
        c.save(update_fields=["status", "withdrawn_by", "withdrawn_at"])
        audit.record(actor, "setoff.consent.withdraw", c, summary={})
    return c
