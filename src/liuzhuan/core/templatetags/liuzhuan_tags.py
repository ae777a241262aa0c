"""Template filters available everywhere (registered as builtins in settings)."""

import json

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


@register.filter
def compact_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """``?…&page=N`` keeping every other query parameter of this request (filters, date ranges,
    organisation), so page 2 lists the same rows as page 1 was filtered to."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
