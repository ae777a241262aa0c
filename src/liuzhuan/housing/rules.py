"""Housing rules that need no database (pure: no Django import): which registration steps each
scenario needs, and how a certificate-offset price splits into certificate credit and cash."""

from __future__ import annotations

# registration steps (不动产登记 / 网签 checklist), codes stored on RegistrationStep.step
NET_SIGN = "net_sign"  # 网签备案
NET_SIGN_CANCEL = "net_sign_cancel"  # 网签撤销
PRE_REGISTRATION = "pre_registration"  # 预告登记
MORTGAGE = "mortgage"  # 抵押登记
MORTGAGE_RELEASE = "mortgage_release"  # 抵押注销登记
TRANSFER = "transfer"  # 不动产转移登记

STEP_LABELS = {
    NET_SIGN: "网签备案",
    NET_SIGN_CANCEL: "网签撤销",
    PRE_REGISTRATION: "预告登记",
    MORTGAGE: "抵押登记",
    MORTGAGE_RELEASE: "抵押注销登记",
    TRANSFER: "不动产转移登记",
}

HANDOVER = "handover"
EXCHANGE_BACK = "exchange_back"
CERTIFICATE_OFFSET = "certificate_offset"
CASH_SALE = "cash_sale"

#: unit kinds without an individual title yet (一手房 and 烂尾楼 are sold on a filed contract and a pre-registration)
UNTITLED_KINDS = frozenset({"new", "stalled"})


def required_steps(kind: str, unit_kind: str, mortgaged: bool) -> tuple[str, ...]:
    """The steps a transaction of ``kind`` on a unit of ``unit_kind`` needs before it completes.

    - 房产移交 (handover into the pool): untitled units are signed and filed to the housing entity
      (网签备案) and pre-registered (预告登记); titled ones are transferred (转移登记). A unit under a
      mortgage is handed in only once the mortgage is released (抵押注销).
    - 房产换回 (exchange back to the owner): the filed contract is cancelled (网签撤销) for untitled
      units, a titled unit is transferred back (转移登记).
    - 凭证抵付 / 房产现金销售 (to a buyer): a filed contract (网签备案), then the buyer's title:
      转移登记 for a titled unit, 预告登记 for an untitled one (its transfer follows the developer's
      first registration, outside this transaction). A unit still under a mortgage must have it
      released first.
    A mortgage the buyer takes (抵押登记) is recorded when there is one but is never required.
    """
    untitled = unit_kind in UNTITLED_KINDS
    release = (MORTGAGE_RELEASE,) if mortgaged else ()
    if kind == HANDOVER:
        return (*release, *((NET_SIGN, PRE_REGISTRATION) if untitled else (TRANSFER,)))
    if kind == EXCHANGE_BACK:
        return (NET_SIGN_CANCEL,) if untitled else (TRANSFER,)
    if kind in (CERTIFICATE_OFFSET, CASH_SALE):
        return (*release, NET_SIGN, title_step(unit_kind))
    raise ValueError(f"unknown transaction kind {kind!r}")


def title_step(unit_kind: str) -> str:
    """The step that secures the buyer's title: pre-registration for untitled units, else transfer."""
    return PRE_REGISTRATION if unit_kind in UNTITLED_KINDS else TRANSFER


def missing_steps(kind: str, unit_kind: str, mortgaged: bool, have) -> list[str]:
    have = set(have)
    return [s for s in required_steps(kind, unit_kind, mortgaged) if s not in have]


def top_up_fen(price_fen: int, pieces_fen: int) -> int:
    """The cash the holders pay beside their certificate credit; credit never exceeds the price."""
    if price_fen <= 0:
        raise ValueError("price must be positive")
    if pieces_fen < 0 or pieces_fen > price_fen:
        raise ValueError("certificate credit must be between zero and the price")
    return price_fen - pieces_fen


#: Chinese names of the housing audit codes (the unit history here, the regulator's event log there)
EVENT_LABELS = {
    "housing.unit_add": "房源入池", "housing.unit_adopt": "原抵付资产纳入房源池", "housing.unit_revalue": "房源重新评估", "housing.unit_withdraw": "房源退出盘活",
    "housing.handover_open": "登记房产移交", "housing.exchange_open": "登记房产换回", "housing.sale_open": "登记房产现金销售",
    "housing.payment": "登记房产价款收款", "housing.step": "登记网签/不动产登记事项", "housing.complete": "盘活业务办结",
    "housing.cancel": "撤销盘活业务", "housing.offset_open": "凭证抵付认购房源", "housing.offset_piece": "加入抵付凭证",
    "housing.offset_agree": "盘活主体确认凭证抵付", "housing.offset_top_up": "登记抵付现金补足款",
    "housing.offset_deliver": "登记房产交付", "housing.offset_receipt": "持有人确认收到房产",
}
