"""Page forms for the bridge fund. Field names match the action's ``DomainError.field`` so
``run_action`` puts each Chinese message under the field it is about. Amounts are typed in yuan
(``YuanField`` → integer fen); the rules themselves are checked by the actions, not here."""

from __future__ import annotations

import datetime as dt

from django import forms

from liuzhuan.core.forms import YuanField

from . import queries
from .actions import ELIGIBILITY_ITEMS
from .models import (
    AgreementChangeArticle,
    Classification,
    DayBasis,
    LoanType,
    Mode,
    PayerKind,
    PrincipalKind,
    SmeSize,
)
from .rates import SUSPEND_THRESHOLD_PERCENT


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: str, **kw) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kw)


def text_area(label: str, rows: int = 3, **kw) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kw)


class ApplyForm(forms.Form):
    bank_id = forms.TypedChoiceField(label="贷款银行", coerce=int)
    sme_size = forms.ChoiceField(label="企业类型（第三条）", choices=SmeSize.choices)
    original_contract_no = forms.CharField(label="原贷款合同编号", max_length=80)
    original_loan_type = forms.ChoiceField(label="原贷款种类", choices=LoanType.choices,
                                           help_text="仅限贷款银行自营的流动资金贷款（第十条（四））")
    original_due_fen = YuanField(label="当期应清偿原贷款本金（元）")
    original_due_date = date_field("原贷款到期日")
    classification = forms.ChoiceField(label="原贷款五级分类", choices=Classification.choices)
    loan_account = forms.CharField(label="原贷款还款账户", max_length=60, help_text="过桥资金将直接划入该账户")
    renewal_approval_fen = YuanField(label="银行续贷批复额度（元）")
    renewal_approval_no = forms.CharField(label="续贷批复文号", max_length=80)
    renewal_approval_date = date_field("续贷批复日期")
    amount_fen = YuanField(label="申请过桥金额（元）", help_text="不超过当期应清偿额度且不超过续贷批复额度（第十条（三））")
    planned_days = forms.IntegerField(label="计划使用天数", min_value=1, initial=10,
                                      help_text="原则上不超过 10 日，含提款日及还款日（第十条（二））")
    planned_draw_date = date_field("计划提款日")
    purpose_confirmed = forms.BooleanField(label="承诺过桥资金仅用于还贷续贷应急周转，不用于其他任何事项（第十条（一））", required=False)

    def __init__(self, *args, checklist=None, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or dt.date.today()
        self.fields["bank_id"].choices = [("", "请选择合作银行")] + [
            (a.bank_id, a.bank.name) for a in queries.banks_in_cooperation(today).order_by("bank__name")
        ]
        self.fields["planned_draw_date"].initial = today
        for key, label in ELIGIBILITY_ITEMS:
            self.fields[f"evidence.{key}"] = forms.CharField(
                label=f"申请条件：{label}", max_length=500, required=False,
                widget=forms.TextInput(attrs={"placeholder": "证明材料名称、编号或说明"}))
        for item in (checklist.items if checklist else []):
            self.fields[f"materials.{item['key']}"] = forms.CharField(
                label=f"申请资料：{item['label']}", max_length=500, required=False,
                widget=forms.TextInput(attrs={"placeholder": "材料名称/份数/编号"}))

    def evidence(self) -> dict[str, str]:
        return {k.split(".", 1)[1]: v or "" for k, v in self.cleaned_data.items() if k.startswith("evidence.")}

    def materials(self) -> dict[str, str]:
        return {k.split(".", 1)[1]: v or "" for k, v in self.cleaned_data.items() if k.startswith("materials.")}


class CheckForm(forms.Form):
    passed = forms.TypedChoiceField(label="结论", choices=[("1", "通过"), ("0", "不通过")], coerce=lambda v: v == "1")
    note = forms.CharField(label="意见", max_length=300, required=False)


class PrepareForm(forms.Form):
    mode = forms.ChoiceField(label="业务模式", choices=Mode.choices)
    note = forms.CharField(label="初审意见", max_length=500, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label="意见", max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=500)


class BankConfirmForm(forms.Form):
    renewal_approval_fen = YuanField(label="续贷批复额度（元）")
    renewal_approval_no = forms.CharField(label="续贷批复文号", max_length=80)
    renewal_approval_date = date_field("续贷批复日期")
    classification = forms.ChoiceField(label="原贷款五级分类（银行确认）", choices=Classification.choices)
    renewal_in_progress = forms.BooleanField(label="本行确认正在办理续贷手续并同意给予续贷（第八条（四））", required=False)
    note = forms.CharField(label="银行意见", max_length=500, required=False)


class DisburseForm(forms.Form):
    account = forms.CharField(label="划款账户（原贷款还款账户）", max_length=60)
    voucher = forms.CharField(label="划款凭证号", max_length=80)


class RenewalForm(forms.Form):
    renewed_on = date_field("续贷发放日")
    contract_no = forms.CharField(label="续贷合同编号", max_length=80)
    amount_fen = YuanField(label="续贷金额（元）")


class RepaymentForm(forms.Form):
    paid_on = date_field("收款日期")
    principal_fen = YuanField(label="本金（元）", allow_zero=True, required=False)
    fee_fen = YuanField(label="占用费（元）", allow_zero=True, required=False)
    penalty_fen = YuanField(label="违约金（元）", allow_zero=True, required=False)
    payer = forms.ChoiceField(label="付款方", choices=PayerKind.choices)
    reference = forms.CharField(label="收款凭证号", max_length=80)


class FraudForm(forms.Form):
    findings = text_area("认定事实（虚报、瞒报、骗取）", 4)
    legal_referral = text_area("追究法律责任/移送司法机关说明", 2, required=False)


class PlanForm(forms.Form):
    plan = text_area("追偿方案", 4)


class CaseActionForm(forms.Form):
    taken_on = date_field("日期")
    description = forms.CharField(label="追偿措施", max_length=500)


class AgreementForm(forms.Form):
    bank_id = forms.TypedChoiceField(label="合作银行", coerce=int)
    number = forms.CharField(label="协议编号", max_length=60)
    signed_on = date_field("签订日期")
    valid_from = date_field("生效日期")
    valid_until = date_field("到期日期")
    joint_liability_principal = forms.BooleanField(label="约定银行对本金承担连带赔偿责任", required=False, initial=True)
    joint_liability_fee = forms.BooleanField(label="约定银行对占用费承担连带赔偿责任", required=False, initial=True)
    entrusted_allowed = forms.BooleanField(label="可委托办理本行续贷过桥业务", required=False)

    def __init__(self, *args, banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_id"].choices = [("", "请选择")] + [(b.pk, b.name) for b in banks]


class AgreementStatusForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[("suspend", "暂停合作"), ("reactivate", "恢复合作"), ("terminate", "取消合作资格")])
    article = forms.ChoiceField(label="依据", choices=AgreementChangeArticle.choices)
    reason = forms.CharField(label="原因", max_length=500)


class LprForm(forms.Form):
    effective_date = date_field("生效日")
    lpr_1y = forms.CharField(label="一年期 LPR（%）", max_length=10)
    lpr_5y = forms.CharField(label="五年期以上 LPR（%）", max_length=10)
    note = forms.CharField(label="说明", max_length=200, required=False)


class RatesForm(forms.Form):
    day_basis = forms.TypedChoiceField(label="计息基准", choices=DayBasis.choices, coerce=int)
    self_daily_rate = forms.CharField(label="自营日利率（小数，如 0.0003；留空按法定上限）", max_length=20, required=False)
    entrusted_multiplier = forms.CharField(label="委托业务 LPR 倍数", max_length=10, initial="1")
    penalty_annual_rate = forms.CharField(label="逾期违约金年利率（小数，如 0.10）", max_length=12)
    note = forms.CharField(label="说明", max_length=300, required=False)


class PrincipalForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PrincipalKind.choices)
    amount_fen = YuanField(label="金额（元）")
    effective_on = date_field("生效日期")
    document_no = forms.CharField(label="文件/凭证号", max_length=100)
    note = forms.CharField(label="说明", max_length=300, required=False)


class TargetForm(forms.Form):
    annual_turnover_target = forms.CharField(label="年度周转率考核目标（次）", max_length=10)
    note = forms.CharField(label="说明", max_length=200, required=False)


class WarnLevelForm(forms.Form):
    warn_percent = forms.IntegerField(label=f"风险预警线（%，低于 {SUSPEND_THRESHOLD_PERCENT}% 暂停线）", min_value=1,
                                      max_value=SUSPEND_THRESHOLD_PERCENT - 1)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ResumeDecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="批复", choices=[("1", "批准恢复"), ("0", "不批准")], coerce=lambda v: v == "1")
    note = forms.CharField(label="批复意见", max_length=500, required=False)


class ChecklistForm(forms.Form):
    items = text_area("申请资料清单（每行一项）", 6)
    process = text_area("业务流程规范", 5)

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class InterestForm(forms.Form):
    period_start = date_field("计息起日")
    period_end = date_field("计息止日")
    received_on = date_field("入账日期")
    amount_fen = YuanField(label="利息金额（元）")
    reference = forms.CharField(label="银行回单号", max_length=80)


class RemittanceForm(forms.Form):
    remitted_on = date_field("上缴日期")
    fee_fen = YuanField(label="占用费（元）", allow_zero=True, required=False)
    interest_fen = YuanField(label="存款利息（元）", allow_zero=True, required=False)
    penalty_fen = YuanField(label="违约金（元）", allow_zero=True, required=False)
    voucher_no = forms.CharField(label="非税收入缴款书号", max_length=80)


class ReportGenerateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")], coerce=int)


class ReportSubmitForm(forms.Form):
    narrative = text_area("使用管理情况及其他需要报告的情况", 6)


class LedgerFilterForm(forms.Form):
    start = date_field("开始日期")
    end = date_field("结束日期")
