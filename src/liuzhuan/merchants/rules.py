"""Pure rules of the merchant market (no Django import): order lines, totals, validity windows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from liuzhuan.core.errors import DomainError

#: the most lines one order may carry, and the most of one item
MAX_LINES = 50
MAX_QUANTITY = 9999


@dataclass(frozen=True)
class Line:
    item_id: int
    quantity: int


def clean_lines(lines) -> list[Line]:
    """One line per item (quantities of a repeated item add up), each quantity 1..MAX_QUANTITY."""
    lines = list(lines or ())
    if not lines:
        raise DomainError("lines_required", "请至少选择一件商品或服务", field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError("lines_too_many", f"一张订单最多 {MAX_LINES} 项", field="lines")
    merged: dict[int, int] = {}
    for n, line in enumerate(lines):
        if line.quantity is None or line.quantity <= 0:
            raise DomainError("quantity_not_positive", f"第 {n + 1} 项数量必须大于零", field=f"lines[{n}].quantity")
        merged[line.item_id] = merged.get(line.item_id, 0) + line.quantity
        if merged[line.item_id] > MAX_QUANTITY:
            raise DomainError("quantity_too_large", f"第 {n + 1} 项数量超过上限 {MAX_QUANTITY}", field=f"lines[{n}].quantity")
    return [Line(item_id, qty) for item_id, qty in merged.items()]


def in_validity(valid_from: dt.date | None, valid_until: dt.date | None, today: dt.date) -> bool:
    return (valid_from is None or valid_from <= today) and (valid_until is None or today <= valid_until)


def order_total(priced: list[tuple[int, int]]) -> int:
    """Integer fen: the sum of unit price × quantity."""
    return sum(price * qty for price, qty in priced)
