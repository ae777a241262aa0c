from django import template

from ..rules import EVENT_LABELS

register = template.Library()


@register.filter
def housing_event(code: str) -> str:
    """The Chinese name of a housing audit code (the code itself when unknown)."""
    return EVENT_LABELS.get(code, code)
