"""What an application must show (第八条、第九条). Pure module: no Django import.

The amount and day limits (第十条) are checked with the fee quote (``bridge/rates/``).
"""

from __future__ import annotations

#: Article 8 (with Art. 3 on who counts as an SME): each item needs evidence and a reviewer's tick
ELIGIBILITY_ITEMS: list[tuple[str, str]] = [
    ("sme", "属于《中小企业划型标准规定》的中型、小型、微型企业或个体工商户、小微企业主、涉农组织等（第三条）"),
    ("registered", "在本市工商注册登记，具有独立法人资格，依法纳税（第八条（一））"),
    ("industry", "符合产业政策和环境保护标准，生产经营正常，具有持续经营能力，积极吸纳就业（第八条（二））"),
    ("credit", "财务状况良好、信用记录完整，无挪用贷款、欠款欠息等不良行为；原流动资金周转贷款为正常类（第八条（三））"),
    ("hardship", "确实存在流动资金困难，贷款银行确认正在办理续贷手续并同意给予续贷（第八条（四））"),
]

#: short names for messages
ELIGIBILITY_SHORT = {
    "sme": "中小企业划型（第三条）",
    "registered": "注册登记及依法纳税（第八条（一））",
    "industry": "产业政策及持续经营（第八条（二））",
    "credit": "信用状况及原贷款为正常类（第八条（三））",
    "hardship": "流动资金困难及银行同意续贷（第八条（四））",
}

DEFAULT_MATERIALS = [
    "过桥资金申请书",
    "营业执照、法定代表人身份证明",
    "近一年财务报表及纳税证明",
    "原贷款合同及借据",
    "贷款银行续贷批复（审批通知书）",
    "企业征信报告",
]
