"""The agreed offset scope (「在指定范围内进行资产抵付或消费抵付」, seed 一): which asset categories,
and whether consumption, a certificate's claim may be settled in. Pure: no Django import.

The asset categories are the ones offset assets are listed under (``offset.models.AssetKind``;
a test keeps the two lists equal); ``consumption`` stands for 消费抵付.
"""

from __future__ import annotations

from liuzhuan.core.errors import DomainError

ASSET_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("house", "商品房"),
    ("parking", "车位"),
    ("shop", "商铺"),
    ("goods", "商品/货物"),
    ("other", "其他资产"),
)
CONSUMPTION = "consumption"
SCOPE_CHOICES: tuple[tuple[str, str], ...] = (*ASSET_CATEGORIES, (CONSUMPTION, "消费"))
LABELS = dict(SCOPE_CHOICES)
ASSET_CODES = frozenset(code for code, _ in ASSET_CATEGORIES)


def normalise(codes) -> list[str]:
    """The scope as stored: known codes, each once, in the order of ``SCOPE_CHOICES``; an unknown
    code or an empty scope is refused (field ``offset_scope``)."""
    given = [str(c).strip() for c in (codes or ()) if str(c).strip()]
    unknown = sorted({c for c in given if c not in LABELS})
    if unknown:
        raise DomainError("offset_scope_invalid", f"可抵付范围中有不认识的类别：{'、'.join(unknown)}", field="offset_scope")
    if not given:
        raise DomainError("offset_scope_required", "请选择可抵付范围（资产类别或消费）", field="offset_scope")
    return [code for code, _ in SCOPE_CHOICES if code in given]


def manners(scope) -> tuple[bool, bool]:
    """(asset offset agreed, consumption offset agreed) as the scope implies."""
    return any(c in ASSET_CODES for c in scope), CONSUMPTION in scope


def label(scope) -> str:
    return "、".join(LABELS.get(c, c) for c in scope)


def require_in_scope(scope, code: str, what: str, field: str) -> None:
    """An offer outside the agreed scope is refused, naming both."""
    if code not in scope:
        raise DomainError("offset_out_of_scope", f"{what}（{LABELS.get(code, code)}）不在凭证约定的可抵付范围（{label(scope) or '未约定'}）内",
                          field=field)
