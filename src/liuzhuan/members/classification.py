"""How the regulator groups members: industry (GB/T 4754-2017 门类) and enterprise size
(《中小企业划型标准规定》, 工信部联企业〔2011〕300号). Pure module: no Django import."""

from __future__ import annotations

INDUSTRIES: list[tuple[str, str]] = [
    ("A", "农、林、牧、渔业"), ("B", "采矿业"), ("C", "制造业"), ("D", "电力、热力、燃气及水生产和供应业"),
    ("E", "建筑业"), ("F", "批发和零售业"), ("G", "交通运输、仓储和邮政业"), ("H", "住宿和餐饮业"),
    ("I", "信息传输、软件和信息技术服务业"), ("J", "金融业"), ("K", "房地产业"), ("L", "租赁和商务服务业"),
    ("M", "科学研究和技术服务业"), ("N", "水利、环境和公共设施管理业"), ("O", "居民服务、修理和其他服务业"),
    ("P", "教育"), ("Q", "卫生和社会工作"), ("R", "文化、体育和娱乐业"), ("S", "公共管理、社会保障和社会组织"),
    ("T", "国际组织"),
]
SIZES: list[tuple[str, str]] = [("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型")]
#: ownership (所有制): what 「民营」 is read against
OWNERSHIPS: list[tuple[str, str]] = [("private", "民营"), ("state", "国有"), ("collective", "集体"), ("foreign", "外资"),
                                     ("other", "其他")]
UNKNOWN = "未填写"
#: 中小微企业: every size class below large (《中小企业划型标准规定》 counts medium in 中小企业)
SME_SIZES = frozenset({"medium", "small", "micro"})

INDUSTRY_LABELS = dict(INDUSTRIES)
SIZE_LABELS = dict(SIZES)
OWNERSHIP_LABELS = dict(OWNERSHIPS)


def is_sme_or_private(enterprise_size: str, ownership: str) -> bool:
    """中小微企业或民营企业 (方案 四(二), 二(一)2): a medium, small or micro enterprise, or a private one
    of any size. An organisation whose class is not recorded is neither until the operator records it."""
    return enterprise_size in SME_SIZES or ownership == "private"
