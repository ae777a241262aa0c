"""What the regulator reads in the event log: a Chinese name for each audit action code, summary
keys in Chinese, and amounts (keys ending in ``_fen``) in yuan. The stored event and its hash are
unchanged; this is only how the page shows them. An unknown code shows as itself."""

from __future__ import annotations

from django.apps import apps

from liuzhuan.core.money import format_yuan
from liuzhuan.housing.rules import EVENT_LABELS as HOUSING_EVENT_LABELS

ACTION_LABELS = {
    # members, users, tokens, notices
    "member.register": "会员注册", "member.bootstrap_operator": "创建运营机构", "member.review": "会员注册复核", "member.first_review": "会员注册初审",
    "member.resubmit": "补充材料后重新提交", "member.classify": "登记行业与企业规模", "member.grant_role": "授予机构角色",
    "member.suspend": "暂停机构", "member.reactivate": "恢复机构", "member.close": "注销机构",
    "user.create": "添加用户", "user.enable": "启用用户", "user.disable": "停用用户", "user.reset_password": "重置密码",
    "user.change_password": "修改密码", "user.locked": "登录锁定", "token.issue": "创建 API 令牌", "token.revoke": "撤销 API 令牌",
    "notice.acknowledge": "确认收悉通知", "integrity.verify.request": "提交完整性校验",
    # certificates: issuance, maturity, void, fees
    "certificate.apply": "申请开具凭证", "certificate.confirm": "确认凭证申请", "certificate.attach": "上传基础合同",
    "certificate.withdraw": "撤回凭证申请", "certificate.resubmit": "修改后重新提交凭证申请",
    "certificate.review_check": "记录初审核查", "certificate.review_prepare": "凭证初审", "certificate.review_approve": "复核同意开具",
    "certificate.review_reject": "复核：不予开具", "certificate.review_return": "复核：退回补充材料",
    "certificate.review_send_back": "复核不同意，退回初审", "certificate.issue": "开具凭证", "certificate.settled": "凭证结清",
    "certificate.extend": "凭证自动展期", "certificate.overdue": "凭证逾期", "certificate.maturity_reminder": "到期提醒",
    "certificate.void_prepare": "提出凭证作废", "certificate.void": "凭证作废", "certificate.void_send_back": "作废复核不同意",
    "certificate.config": "修改凭证业务参数", "fee.rule_set": "设置收费标准",
    # pieces: transfer, offset, paper
    "piece.offer": "发起转让", "piece.transfer_accept": "接收转让", "piece.transfer_decline": "拒收转让",
    "piece.transfer_cancel": "撤回转让", "piece.transfer_lapse": "转让逾期失效", "piece.print": "打印纸质凭证",
    "piece.offset_apply": "申请抵付", "piece.offset_options": "提供抵付清单", "piece.offset_propose": "提出抵付价款",
    "piece.offset_agree": "商定抵付价款", "piece.offset_evidence": "上传抵付证明材料", "piece.offset_deliver": "登记抵付交付",
    "piece.offset_receipt": "确认收到抵付", "piece.offset_return": "退回抵付交付", "piece.offset_complete": "抵付注销登记",
    "piece.offset_refused": "债务人不予办理抵付", "piece.offset_withdrawn": "撤回抵付申请",
    "piece.offset_debt_confirm": "债务人确认抵偿债务", "certificate.extension_notice": "展期申请或异议",
    "certificate.legacy_record": "登记存量业务凭证", "fee.paid": "登记服务费已缴",
    "escrow.record": "登记资金监管协议", "escrow.confirm": "银行确认资金监管协议", "escrow.decline": "银行拒绝资金监管协议",
    "escrow.end": "终止资金监管协议",
    "asset.add": "登记可抵付资产", "asset.withdraw": "下架可抵付资产",
    # pledges
    "pledge.create": "发起质押", "pledge.effective": "质押登记生效", "pledge.cancel": "撤销质押", "pledge.release": "解除质押",
    "pledge.enforce": "实现质权", "pledge.transfer_request": "申请转让已质押分段", "pledge.transfer_consent": "质权人同意转让",
    "pledge.transfer_refuse": "质权人不同意转让", "pledge.transfer_complete": "已质押分段转让完成",
    "pledge.transfer_decline": "受让方拒收已质押分段", "pledge.transfer_withdraw": "撤回已质押分段转让",
    # purchase with lock-up, market purchase
    "purchase.provider_prepare": "提出收购服务额度", "purchase.provider_approve": "复核同意收购服务额度",
    "purchase.provider_send_back": "收购服务额度复核不同意", "purchase.commitment_request": "委托收购承诺",
    "purchase.commitment_accept": "接受收购承诺", "purchase.commitment_declined": "拒绝收购承诺",
    "purchase.commitment_withdrawn": "撤回收购承诺", "purchase.commitment_expire": "收购承诺到期",
    "purchase.sale_apply": "申请收购", "purchase.sale_complete": "收购完成", "purchase.sale_refused": "拒绝收购申请",
    "purchase.sale_withdrawn": "撤回收购申请",
    "receivable.purchase": "登记应收账款收购", "receivable.apply": "收购后申请开具凭证", "receivable.cancel": "撤销收购登记",
    # set-off
    "obligation.register": "登记债务", "obligation.confirm": "确认债务", "obligation.dispute": "对债务提出异议",
    "obligation.withdraw": "撤回债务登记", "obligation.rejoin": "债务重新参与抵销", "obligation.upload.submit": "批量导入债务",
    "setoff.cash.declare": "申报抵销用现金", "setoff.cash.fund": "为他方提供抵销资金", "setoff.cash.withdraw": "撤回抵销用现金",
    "setoff.consent.give": "概括同意质押分段参与抵销", "setoff.consent.withdraw": "撤回概括同意",
    "setoff.run.start": "开始抵销测算", "setoff.run.done": "抵销测算完成", "setoff.run.stale": "抵销测算作废（数据已变）",
    "setoff.run.lapse": "抵销测算失效", "setoff.agreement.confirm": "确认抵销协议", "setoff.agreement.decline": "拒绝抵销协议",
    "setoff.agreement.execute": "执行抵销协议", "setoff.agreement.lapse": "抵销协议逾期失效", "setoff.agreement.void": "抵销协议作废",
    # housing pool (存量房盘活): its codes are named in housing/rules.py, which its own pages use too
    **HOUSING_EVENT_LABELS,
    # special merchants (特约商户)
    "piece.offset_counter_open": "特约商户消费抵付下单（锁定债权）", "piece.offset_counter_settle": "特约商户消费结算（待注销登记）",
    "merchant.profile_save": "保存特约商户档案", "merchant.item_add": "发布商品及服务", "merchant.item_edit": "修改商品及服务",
    "merchant.item_shelf": "商品及服务上架或下架", "merchant.order_place": "向特约商户下单", "merchant.order_settle": "特约商户结算订单",
    "merchant.order_cancel": "买方撤销订单", "merchant.order_refuse": "特约商户拒绝订单",
    "member.department": "设定所属监管部门",
    # bridge fund
    "bridge.fund.establish": "设立过桥资金", "bridge.fund.target": "设定年度目标", "bridge.fund.warn_level": "设定风险预警线",
    "bridge.fund.region": "设定本市行政区划", "bridge.fund.risk_warning": "风险预警", "bridge.fund.risk_warning_cleared": "风险预警解除",
    "bridge.fund.auto_suspend": "风险达到 30% 自动叫停", "bridge.fund.bureau_suspend": "财政局叫停业务",
    "bridge.fund.resume_request": "申请恢复业务", "bridge.fund.resume_decide": "批复恢复业务",
    "bridge.principal.contribute": "财政出资", "bridge.principal.withdraw": "财政调回本金",
    "bridge.rates.set": "设定费率", "bridge.rates.cap_alert": "费率超过法定上限提醒", "bridge.lpr.set": "录入 LPR",
    "bridge.agreement.create": "登记合作监管协议", "bridge.agreement.suspend": "暂停银行合作",
    "bridge.agreement.reactivate": "恢复银行合作", "bridge.agreement.terminate": "取消银行合作资格",
    "bridge.checklist.create": "制定申请资料清单", "bridge.checklist.file": "申请资料清单报备", "bridge.checklist.acknowledge": "确认资料清单备案",
    "bridge.application.submit": "提交过桥资金申请", "bridge.application.check": "审核申请要件",
    "bridge.application.prepare": "过桥资金初审", "bridge.application.approve": "过桥资金复核通过",
    "bridge.application.reject": "退回过桥资金申请", "bridge.application.withdraw": "撤回过桥资金申请",
    "bridge.application.materials": "上传过桥资金申请资料", "bridge.application.return": "退回补正过桥资金申请",
    "bridge.application.resubmit": "补正后重新提交过桥资金申请",
    "bridge.application.bank_confirm": "银行确认续贷", "bridge.application.bank_decline": "银行不予确认续贷",
    "bridge.loan.disburse": "过桥资金放款", "bridge.loan.repay": "过桥资金还款", "bridge.loan.renewal": "登记续贷发放",
    "bridge.loan.overdue": "过桥资金逾期", "bridge.loan.penalty_accrue": "计提违约金", "bridge.fraud.declare": "认定骗取过桥资金",
    "bridge.recovery.open": "立案追偿", "bridge.recovery.plan": "制定追偿方案", "bridge.recovery.action": "登记追偿措施",
    "bridge.recovery.relabel": "调整追偿分类", "bridge.recovery.close": "追偿结案",
    "bridge.oversight.inspection": "登记监督检查", "bridge.oversight.sanction": "登记违规处理",
    "bridge.revenue.interest": "登记存款利息", "bridge.revenue.remit": "登记收益上缴",
    "bridge.report.generate": "生成季度报告", "bridge.report.submit": "报送季度报告", "bridge.report.remind": "季度报告报送提醒",
    "bridge.report.late": "季度报告逾期未报", "bridge.report.acknowledge": "财政局确认季度报告", "bridge.report.return": "财政局退回季度报告",
}

#: summary keys a reader meets often; any other key shows as itself (an amount key without "_fen")
KEY_LABELS = {
    "number": "编号", "reason": "原因", "note": "说明", "before": "变更前", "after": "变更后", "status": "状态",
    "piece": "分段", "amount": "金额", "price": "价款", "fee": "服务费", "penalty": "违约金", "principal": "本金",
    "interest": "利息", "face": "面额", "capacity": "额度", "remaining": "剩余金额", "limit": "限额", "min_unit": "最小拆分单位",
    "list_price": "挂牌价", "at_risk": "风险金额", "creditor": "债权人", "debtor": "债务人", "maturity": "清偿期限",
    "decision": "决定", "method": "方式", "application": "申请", "org": "机构", "role": "角色", "username": "用户名",
    "deadline": "截止日", "from": "起", "to": "至", "seq": "次序", "registration_no": "登记编号",
    "basis": "依据", "channel": "渠道", "valid_until": "有效期至", "trigger": "触发方式", "how": "方式", "title": "标题",
    "agreements": "协议数", "chains": "债务链数", "obligations": "债务笔数", "cleared": "抵销金额", "paid": "现金支付",
    "snapshot_sha256": "数据快照摘要", "expiry": "有效期至", "scope": "范围", "name": "名称", "key_id": "令牌编号",
    "until": "锁定至", "ip": "网络地址", "kind": "类型", "bank": "银行", "applicant": "申请人", "quarter": "季度", "year": "年度",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def codes_named(text: str) -> list[str]:
    """The action codes whose Chinese name contains ``text`` (the event log's filter)."""
    text = (text or "").strip()
    return sorted(code for code, label in ACTION_LABELS.items() if text and text in label)


def key_label(key: str) -> str:
    base = key.removesuffix("_fen").removesuffix("_id")
    return KEY_LABELS.get(key, KEY_LABELS.get(base, base))


def value_text(key: str, value) -> str:
    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return format_yuan(value)
    if value is None or value == "":
        return "—"
    if value is True or value is False:
        return "是" if value else "否"
    if isinstance(value, dict):
        return "，".join(f"{key_label(k)} {value_text(k, v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "、".join(value_text(key, v) for v in value) or "—"
    return str(value)


def summary_items(summary: dict | None) -> list[tuple[str, str]]:
    """(Chinese key, readable value) for an event's summary, amounts in yuan, nested changes flattened."""
    return [(key_label(k), value_text(k, v)) for k, v in (summary or {}).items()]


def object_label(object_type: str, object_id: str) -> str:
    """``certificates.piece`` → the model's Chinese name where it has one, then the id."""
    if not object_type:
        return "—"
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = object_type
    if name.isascii():  # a model without a Chinese name: the code says more than "piece"
        name = object_type
    return f"{name} #{object_id}" if object_id else name
