"""Template filters available everywhere (registered as builtins in settings)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from liuzhuan.core.money import capital as _capital
from liuzhuan.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen → ¥12,345.67 (empty for None)."""
    if fen is None or fen == "":
        return "—"
    return format_yuan(int(fen))


@register.filter
def capital(fen):
    return _capital(int(fen or 0))


def _scaled(rate, factor: int, places: int) -> Decimal:
    return (Decimal(str(rate)) * factor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@register.filter
def percent(rate, places=4):
    """A rate stored as a fraction, read as a percentage: ``0.1`` → ``10%``, ``0.0385`` → ``3.85%``."""
    if rate is None or rate == "":
        return "—"
    value = _scaled(rate, 100, int(places)).normalize()
    return f"{value:f}%"


@register.filter
def per_10k(rate, places=4):
    """A daily rate as per ten-thousand, as the policy states it (万分之三点三): ``0.00033`` → ``3.3000‱``."""
    if rate is None or rate == "":
        return "—"
    return f"{_scaled(rate, 10_000, int(places))}‱"


@register.simple_tag(takes_context=True)
def page_url(context, number, param: str = "") -> str:
    """``?…&page=N`` keeping every other query parameter of this request (filters, date ranges,
    organisation), so page 2 lists the same rows as page 1 was filtered to. ``param`` names the
    page parameter when a page holds several paged lists (each keeps its own position)."""
    query = context["request"].GET.copy()
    query[param or "page"] = number
    return "?" + query.urlencode()
