"""Demo organisations and users for every role (fictional, deterministic)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from liuzhuan.core.roles import Department, Role

from . import actions
from .bootstrap import create_operator
from .documents import required_documents
from .identity import make_ric, make_uscc
from .models import DocumentKind, Organisation, OrgStatus, Position, User

DEMO_PASSWORD = "Liuzhuan#2026"
REGION = "150802"  # 巴彦淖尔市临河区


@dataclass
class DemoOrg:
    key: str
    name: str
    roles: tuple[str, ...]
    username: str
    person: str
    org_type: str = "enterprise"
    status: str = "active"
    department: str = ""  # oversight organisations: which department's dashboard is theirs
    extra_users: list[tuple[str, str, str]] = field(default_factory=list)  # (username, name, position)


def _uscc(prefix: str, n: int) -> str:
    return make_uscc(f"{prefix}{REGION}{n:09d}")


OPERATOR = DemoOrg("operator", "临河区恒通资本运营有限公司", (Role.OPERATOR,), "op_manager", "王建国",
                   extra_users=[("op_clerk", "李晓梅", Position.STAFF), ("op_checker", "赵志强", Position.MANAGER),
                                ("op_finance", "钱丽华", Position.FINANCE)])

ORGS: list[DemoOrg] = [
    DemoOrg("bureau", "临河区财政局", (Role.BUREAU,), "czj_liu", "刘国栋", org_type="institution"),
    DemoOrg("regulator", "临河区金融工作办公室", (Role.REGULATOR,), "jg_sun", "孙丽华", org_type="institution"),
    DemoOrg("bank1", "内蒙古河套农村商业银行临河支行", (Role.BANK, Role.MEMBER), "bank1_zhou", "周文斌"),
    DemoOrg("bank2", "巴彦淖尔黄河银行城区支行", (Role.BANK, Role.MEMBER), "bank2_wu", "吴海燕"),
    DemoOrg("purchaser", "临河区兴投投资有限公司", (Role.PURCHASER, Role.MEMBER), "xt_zheng", "郑宏伟"),
    DemoOrg("housing", "临河区汇浦房产经营有限公司", (Role.HOUSING, Role.MEMBER), "hp_chen", "陈志远"),
    DemoOrg("fund", "临河兴财控股集团有限公司", (Role.FUND_MANAGER,), "xc_huang", "黄晓东",
            extra_users=[("xc_clerk", "马丽", Position.STAFF)]),
    DemoOrg("merchant1", "临河区万家福超市有限公司", (Role.MERCHANT, Role.MEMBER), "wjf_he", "何秀英"),
    DemoOrg("merchant2", "巴彦淖尔市塞上建材商贸有限公司", (Role.MERCHANT, Role.MEMBER), "ss_lin", "林建军"),
    DemoOrg("merchant3", "临河区河套汽车销售服务有限公司", (Role.MERCHANT, Role.MEMBER), "ht_guo", "郭涛"),
]
SME_NAMES = [
    ("sme01", "临河区金穗农业科技有限公司", "张伟"),
    ("sme02", "巴彦淖尔市河套面业有限公司", "李娜"),
    ("sme03", "临河区鑫达建筑工程有限公司", "王磊"),
    ("sme04", "临河区塞北物流有限公司", "刘洋"),
    ("sme05", "巴彦淖尔市绿源番茄制品有限公司", "陈静"),
    ("sme06", "临河区华辰电气设备有限公司", "杨帆"),
    ("sme07", "临河区恒泰钢结构有限公司", "赵敏"),
    ("sme08", "巴彦淖尔市草原羊绒制品有限公司", "黄磊"),
    ("sme09", "临河区瑞丰饲料有限公司", "周强"),
    ("sme10", "临河区宏宇装饰工程有限公司", "吴婷"),
    ("sme11", "临河区天成印务有限公司", "徐明"),
]
ORGS += [DemoOrg(k, n, (Role.MEMBER,), f"{k}_boss", p) for k, n, p in SME_NAMES]

#: industry (GB/T 4754 门类) and size class of the demo enterprises, for the regulator's figures
CLASSIFICATION = {
    "bank1": ("J", "medium"), "bank2": ("J", "medium"), "purchaser": ("L", "medium"), "housing": ("K", "medium"),
    "merchant1": ("F", "small"), "merchant2": ("F", "small"), "merchant3": ("F", "small"),
    "sme01": ("A", "small"), "sme02": ("C", "small"), "sme03": ("E", "small"), "sme04": ("G", "micro"),
    "sme05": ("C", "medium"), "sme06": ("C", "small"), "sme07": ("C", "small"), "sme08": ("C", "micro"),
    "sme09": ("C", "micro"), "sme10": ("E", "micro"), "sme11": ("C", "micro"),
}
#: a natural person member and two online registrations (with their documents) in the review queue:
#: the first has passed op_clerk's first review and waits for op_checker's final one
ONLINE_PENDING = ("pending1", "pending2")
FIRST_REVIEWED = ("pending1",)
ORGS.append(DemoOrg("person1", "高建华", (Role.MEMBER,), "gao_jh", "高建华", org_type="person"))
ORGS.append(DemoOrg("pending1", "临河区新星食品有限公司", (Role.MEMBER,), "xx_song", "宋佳", status="pending"))
ORGS.append(DemoOrg("pending2", "临河区益民农机合作社", (Role.MEMBER,), "ym_han", "韩冬", org_type="other", status="pending"))
#: the departments that supervise through their own dashboards (appended last: earlier keys keep their ids)
ORGS.append(DemoOrg("housing_bureau", "临河区住房和城乡建设局", (Role.REGULATOR,), "zjj_ma", "马志刚", org_type="institution",
                    department=Department.HOUSING))
ORGS.append(DemoOrg("market_bureau", "临河区市场监督管理局", (Role.REGULATOR,), "scj_tian", "田慧", org_type="institution",
                    department=Department.MARKET))


def org(key: str) -> Organisation:
    return Organisation.objects.get(legal_id=legal_id_for(key))


def legal_id_for(key: str) -> str:
    if key == "operator":
        return _uscc("91", 1)
    index = [o.key for o in ORGS].index(key) + 2
    d = next(o for o in ORGS if o.key == key)
    if d.org_type == "person":
        return make_ric(f"11010119800101{index:03d}")
    prefix = {"institution": "12", "other": "93"}.get(d.org_type, "91")
    return _uscc(prefix, index)


def demo_pdf(title: str) -> bytes:
    """A tiny valid one-page PDF (built here, no file shipped) standing in for a scanned document."""
    text = f"BT /F1 18 Tf 40 100 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_png(width: int = 8, height: int = 5) -> bytes:
    """A tiny valid grey PNG standing in for a photo of an ID card."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x99" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def demo_documents(org_type: str) -> dict[str, bytes]:
    """The documents an online registrant of ``org_type`` uploads: the licence as PDF, IDs as PNG."""
    return {kind: demo_pdf("Business licence (demo)") if kind == DocumentKind.BUSINESS_LICENCE else demo_png()
            for kind in required_documents(org_type)}


def load(stdout=None) -> bool:
    """Create the demo world once. Returns False when it already exists (idempotent)."""
    if Organisation.objects.filter(legal_id=legal_id_for("operator")).exists():
        return False
    manager = create_operator(
        name=OPERATOR.name, legal_id=legal_id_for("operator"), username=OPERATOR.username,
        password=DEMO_PASSWORD, display_name=OPERATOR.person,
    )
    for username, person, position in OPERATOR.extra_users:
        actions.create_user(manager, manager.organisation_id, username, DEMO_PASSWORD, person, position)
    clerk = User.objects.get(username="op_clerk")
    checker = User.objects.get(username="op_checker")
    for d in ORGS:
        data = actions.RegistrationInput(
            name=d.name, org_type=d.org_type, legal_id=legal_id_for(d.key), legal_representative=d.person,
            contact_name=d.person, contact_phone=f"0478-8{ORGS.index(d):06d}",
            address="内蒙古自治区巴彦淖尔市临河区", roles=tuple(str(r) for r in d.roles),
            username=d.username, password=DEMO_PASSWORD, display_name=d.person,
            industry=CLASSIFICATION.get(d.key, ("", ""))[0], enterprise_size=CLASSIFICATION.get(d.key, ("", ""))[1],
            capacity_declared=True,
        )
        if d.key in ONLINE_PENDING:  # registered online by the applicant, documents attached
            o = actions.register_organisation(None, data, demo_documents(d.org_type))
            if d.key in FIRST_REVIEWED:
                actions.first_review_registration(clerk, o.pk, "approve", "online", "证件齐全，信息一致")
        else:
            o = actions.register_organisation(clerk, data)
        User.objects.filter(username=d.username).update(position=Position.MANAGER)
        if d.status == OrgStatus.ACTIVE:
            actions.review_registration(checker, o.pk, "approve", "on_site", "")
        if d.department:
            Organisation.objects.filter(pk=o.pk).update(department=d.department)
        for username, person, position in d.extra_users:
            actions.create_user(checker, o.pk, username, DEMO_PASSWORD, person, position)
    return True


def logins() -> list[tuple[str, str, str]]:
    """(username, organisation, roles) for the README and ./run banner."""
    rows = []
    for u in User.objects.select_related("organisation").filter(username__in=_demo_usernames()).order_by("id"):
        rows.append((u.username, u.organisation.name, "、".join(u.organisation.role_labels())))
    return rows


def _demo_usernames() -> list[str]:
    names = [OPERATOR.username] + [u for u, _, _ in OPERATOR.extra_users]
    for d in ORGS:
        names.append(d.username)
        names += [u for u, _, _ in d.extra_users]
    return names
