"""Debt set-off (债权债务闭环抵销): the obligation register, runs, loop agreements.

Amounts are integer fen. An obligation's ``outstanding_fen`` only ever falls, and only by an
executed agreement; the database holds ``0 ≤ outstanding ≤ amount`` and ``creditor ≠ debtor``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from liuzhuan.members.models import Organisation


class ObligationStatus(models.TextChoices):
    PENDING = "pending", "待对方确认"
    CONFIRMED = "confirmed", "已确认"
    DISPUTED = "disputed", "有异议"
    WITHDRAWN = "withdrawn", "已撤回"
    SETTLED = "settled", "已抵销结清"


#: statuses of a registration that still stands (one per creditor, debtor and basis)
LIVE_STATUSES = (ObligationStatus.PENDING, ObligationStatus.CONFIRMED, ObligationStatus.DISPUTED)


class Channel(models.TextChoices):
    FORM = "form", "页面录入"
    UPLOAD = "upload", "文件导入"
    API = "api", "接口"
    CHAIN = "chain", "债务链垫付"


class Obligation(models.Model):
    """One debt: ``debtor`` owes ``creditor`` ``amount_fen`` under ``basis`` (contract, invoice …)."""

    number = models.CharField("登记编号", max_length=20, unique=True)
    creditor = models.ForeignKey(Organisation, models.PROTECT, related_name="+", verbose_name="债权人")
    debtor = models.ForeignKey(Organisation, models.PROTECT, related_name="+", verbose_name="债务人")
    amount_fen = models.BigIntegerField("登记金额（分）")
    outstanding_fen = models.BigIntegerField("未抵销余额（分）")
    due_date = models.DateField("到期日", null=True, blank=True)
    basis = models.CharField("债权债务依据（合同/发票编号）", max_length=100)
    note = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=ObligationStatus.choices, default=ObligationStatus.PENDING)
    channel = models.CharField("登记方式", max_length=8, choices=Channel.choices, default=Channel.FORM)
    registered_by_org = models.ForeignKey(Organisation, models.PROTECT, related_name="+", verbose_name="登记方")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True,
                                      db_index=False)
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True,
                                     blank=True, db_index=False)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    #: "confirm" (the counterparty confirmed it) or "match" (its own registration matched)
    confirmed_how = models.CharField(max_length=8, blank=True)
    dispute_reason = models.CharField("异议理由", max_length=200, blank=True)
    #: left out of set-off runs after its party declined (or let lapse) an agreement it was in
    opted_out = models.BooleanField("暂不参与抵销", default=False)
    opted_out_reason = models.CharField(max_length=200, blank=True)
    #: the party whose decline (or silence) left it out; only that party may put it back
    opted_out_by = models.ForeignKey(Organisation, models.PROTECT, related_name="+", null=True, blank=True,
                                     db_index=False)
    #: for the debt a chain leaves with a funded payer: the declaration whose cash paid for it
    from_cash = models.ForeignKey("LiquidityDeclaration", models.PROTECT, related_name="+", null=True, blank=True,
                                  db_index=False)

    class Meta:
        verbose_name = "债权债务"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="setoff_obligation_amount_positive"),
            models.CheckConstraint(condition=Q(outstanding_fen__gte=0) & Q(outstanding_fen__lte=F("amount_fen")),
                                   name="setoff_obligation_outstanding_in_range"),
            models.CheckConstraint(condition=~Q(creditor=F("debtor")), name="setoff_obligation_not_self"),
            models.UniqueConstraint(fields=["creditor", "debtor", "basis"], condition=Q(status__in=LIVE_STATUSES),
                                    name="setoff_obligation_one_live_per_basis"),
        ]
        indexes = [
            models.Index(fields=["creditor", "status"], name="setoff_obl_creditor"),
            # amount_fen too: the register's overview groups all obligations by debtor and sums
            # amounts by status from this index alone (SQLite, 100k rows: 125 → 25 ms)
            models.Index(fields=["debtor", "status", "amount_fen"], name="setoff_obl_debtor_amount"),
            models.Index(fields=["status", "opted_out"], name="setoff_obl_eligible"),
        ]

    def __str__(self) -> str:
        return self.number

    def counterparty_id(self, org_id: int) -> int:
        return self.debtor_id if org_id == self.creditor_id else self.creditor_id

    @property
    def awaiting_org_id(self) -> int | None:
        """The side that must confirm or dispute a pending registration."""
        if self.status != ObligationStatus.PENDING:
            return None
        return self.counterparty_id(self.registered_by_org_id)


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已导入"
    REFUSED = "refused", "未导入（有错误）"
    FAILED = "failed", "失败"


class ObligationUpload(models.Model):
    """A large upload the task worker reads, checks and registers (a request should not hold it)."""

    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", db_index=False)
    name = models.CharField("文件名", max_length=200)
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField("状态", max_length=10, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    phase = models.CharField(max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    #: ImportReport.as_dict(): rows, created, matched, refused and the refused rows (first 500)
    report = models.JSONField(null=True, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "债权债务导入"
        ordering = ["-id"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="setoff_upload_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in (UploadStatus.QUEUED, UploadStatus.RUNNING)


class LiquidityStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    WITHDRAWN = "withdrawn", "已撤回"


class DeclarationQuerySet(models.QuerySet):
    def usable(self, today):
        """Cash a run may plan with and an execution may spend: active, unexpired, and — when a
        provider put it up — that provider still active (a suspended purchaser funds nothing)."""
        return self.filter(Q(provider__isnull=True) | Q(provider__status="active"), status=LiquidityStatus.ACTIVE,
                           valid_until__gte=today)


class LiquidityDeclaration(models.Model):
    """A member's declared cash (现金清偿意愿) to pay its own debts into debt chains (债务链分摊).

    A run may propose chains in which the member pays part of a debt in cash and each creditor
    passes it on; ``used_fen`` grows only when such a chain executes.
    """

    #: whose debts the cash pays (the chain's payer)
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+", verbose_name="付款单位")
    #: who puts up the cash when it is not the payer's own: the market purchaser (市场化收购主体) or
    #: the operator. The payer's debt it pays passes to the provider (a new confirmed obligation,
    #: payer → provider), as when a purchaser buys a receivable.
    provider = models.ForeignKey(Organisation, models.PROTECT, related_name="+", null=True, blank=True,
                                 db_index=False, verbose_name="出资方")
    amount_fen = models.BigIntegerField("可用于清偿的现金（分）")
    used_fen = models.BigIntegerField("已用于债务链清偿（分）", default=0)
    valid_until = models.DateField("有效期至")
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=LiquidityStatus.choices, default=LiquidityStatus.ACTIVE)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", db_index=False)
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = "现金清偿意愿"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="setoff_liquidity_amount_positive"),
            models.CheckConstraint(condition=Q(used_fen__gte=0) & Q(used_fen__lte=F("amount_fen")),
                                   name="setoff_liquidity_used_in_range"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="setoff_liquidity_org")]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.amount_fen}"

    @property
    def remaining_fen(self) -> int:
        return self.amount_fen - self.used_fen


class PledgeeConsent(models.Model):
    """A pledgee's standing consent (质权人概括同意): certificate pieces pledged to it (effective
    pledges, no pledged transfer under way) may be set off in agreements without its signature on
    each. Each execution reduces its collateral and tells it so; the pledge follows what is left of
    the piece and is released when nothing is left. Withdrawing it takes pledged pieces out of
    later runs and voids agreements still awaiting signatures that would set one off."""

    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+", verbose_name="质权人")
    note = models.CharField("说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=LiquidityStatus.choices, default=LiquidityStatus.ACTIVE)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", db_index=False)
    given_at = models.DateTimeField(auto_now_add=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True,
                                     blank=True, db_index=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "质权人概括同意"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=Q(status="active"),
                                               name="setoff_consent_one_active")]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.status}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class SetoffRun(models.Model):
    """One computation over the confirmed register; executes in the task worker."""

    number = models.CharField("批次编号", max_length=20, unique=True)
    trigger = models.CharField("发起方式", max_length=10, default="manual")  # manual | schedule
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True,
                                   blank=True, db_index=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    #: 1 while queued or running, NULL after: the unique index allows one active run at a time
    active_slot = models.PositiveSmallIntegerField(null=True, blank=True, unique=True, default=1)
    phase = models.CharField("阶段", max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    error = models.TextField(blank=True)
    deadline = models.DateField("协议确认截止日", null=True, blank=True)
    obligations_count = models.PositiveIntegerField(default=0)
    parties_count = models.PositiveIntegerField(default=0)
    total_fen = models.BigIntegerField(default=0)
    nid_fen = models.BigIntegerField(default=0)
    cleared_fen = models.BigIntegerField(default=0)
    loops_count = models.PositiveIntegerField(default=0)
    bilateral_count = models.PositiveIntegerField(default=0)
    multilateral_count = models.PositiveIntegerField(default=0)
    chain_count = models.PositiveIntegerField(default=0)
    #: declared cash available to the run, and the part of cleared_fen paid in cash along chains
    liquidity_fen = models.BigIntegerField(default=0)
    paid_fen = models.BigIntegerField(default=0)
    #: what the same snapshot clears by set-off alone (only computed when cash was declared)
    cleared_without_liquidity_fen = models.BigIntegerField(null=True, blank=True)
    #: what was solved: npz of obligation ids, debtor ids, creditor ids and amounts (fen)
    snapshot = models.BinaryField(null=True, blank=True, editable=False)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    #: the agreement of loop k has the id agreement_base + k + 1 (a row only once acted on: proposals.py)
    agreement_base = models.BigIntegerField(default=0)
    #: when the daily job closed the agreements nobody acted on by the deadline
    lapsed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = "抵销测算批次"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="setoff_run_progress_pct"),
            models.CheckConstraint(condition=Q(cleared_fen__gte=0) & Q(cleared_fen__lte=F("total_fen")),
                                   name="setoff_run_cleared_in_range"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)

    @property
    def cleared_per_yuan(self) -> str:
        """Extra debt cleared per yuan of cash paid into chains (the chains' leverage)."""
        if not self.paid_fen or self.cleared_without_liquidity_fen is None:
            return ""
        return f"{(self.cleared_fen - self.cleared_without_liquidity_fen) / self.paid_fen:.2f}"

    @property
    def cleared_pct(self) -> str:
        if not self.total_fen:
            return "0.00"
        return f"{self.cleared_fen * 100 / self.total_fen:.2f}"


class RunParty(models.Model):
    """A member's position in a run: what it owed and was owed, and how much the loops clear."""

    run = models.ForeignKey(SetoffRun, models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+")
    payable_fen = models.BigIntegerField(default=0)
    receivable_fen = models.BigIntegerField(default=0)
    #: set off on its payables (= on its receivables: a set-off leaves every net position unchanged)
    cleared_fen = models.BigIntegerField(default=0)
    agreements = models.PositiveIntegerField(default=0)
    #: the loop numbers of the run this member is a party to (int32 array; proposals.py)
    loops = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "organisation"], name="setoff_runparty_once")]
        indexes = [models.Index(fields=["organisation", "run"], name="setoff_runparty_org")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.organisation_id}"


class ProposalBlock(models.Model):
    """``proposals.BLOCK`` loops of a run's loop table, as the solver left them (compressed arrays)."""

    run = models.ForeignKey(SetoffRun, models.CASCADE, related_name="+", db_index=False)
    block = models.PositiveIntegerField()
    data = models.BinaryField(editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "block"], name="setoff_block_once")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.block}"


class AgreementStatus(models.TextChoices):
    PROPOSED = "proposed", "待各方确认"
    EXECUTED = "executed", "已执行"
    DECLINED = "declined", "已被拒绝"
    LAPSED = "lapsed", "逾期未确认"
    VOIDED = "voided", "已作废（债务已变化）"


class Agreement(models.Model):
    """A set-off agreement (抵销协议) for one loop: every party's debt in it falls by ``amount_fen``."""

    number = models.CharField("协议编号", max_length=20, unique=True)
    run = models.ForeignKey(SetoffRun, models.PROTECT, related_name="agreements")
    kind = models.CharField("类型", max_length=12)  # bilateral | multilateral
    amount_fen = models.BigIntegerField("抵销金额（分）")
    parties_count = models.PositiveSmallIntegerField("参与方数")
    status = models.CharField("状态", max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED)
    deadline = models.DateField("确认截止日")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "抵销协议"
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="setoff_agreement_amount_positive")]
        indexes = [models.Index(fields=["status", "deadline"], name="setoff_agreement_open")]

    def __str__(self) -> str:
        return self.number

    @property
    def kind_label(self) -> str:
        if self.kind == "chain":
            return f"{self.parties_count}方债务链清偿"
        return "双边抵销" if self.kind == "bilateral" else f"{self.parties_count}方闭环抵销"


class PartyDecision(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DECLINED = "declined", "已拒绝"


class AgreementParty(models.Model):
    # no single-column indexes: the unique (agreement, organisation) and the (organisation,
    # decision) index cover both look-ups, and a run writes hundreds of thousands of these rows
    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="parties", db_index=False)
    organisation = models.ForeignKey(Organisation, models.PROTECT, related_name="+", db_index=False)
    position = models.PositiveSmallIntegerField()  # order in the loop
    decision = models.CharField(max_length=10, choices=PartyDecision.choices, default=PartyDecision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True,
                                   blank=True, db_index=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["agreement", "organisation"], name="setoff_party_once")]
        indexes = [models.Index(fields=["organisation", "decision"], name="setoff_party_queue")]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.organisation_id}"


class AgreementPart(models.Model):
    """What an agreement sets off of one debt: a registered obligation, or a live certificate piece
    (the certificate's debtor owes the piece's holder). A leg may span several of them."""

    agreement = models.ForeignKey(Agreement, models.CASCADE, related_name="parts")
    obligation = models.ForeignKey(Obligation, models.PROTECT, related_name="parts", null=True, blank=True)
    # pieces are never deleted and are looked up from here, not the other way: no index to maintain
    piece = models.ForeignKey("certificates.Piece", models.PROTECT, related_name="setoff_parts", null=True, blank=True,
                              db_index=False)
    leg = models.PositiveSmallIntegerField()
    amount_fen = models.BigIntegerField()

    class Meta:
        ordering = ["leg", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="setoff_part_amount_positive"),
            models.CheckConstraint(condition=Q(obligation__isnull=True) ^ Q(piece__isnull=True),
                                   name="setoff_part_one_debt"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}:{self.obligation_id}"
