"""Page helpers every certificates page uses: run an action and say how it went."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404

from liuzhuan.core.errors import DomainError


def perform(request, fn: Callable, success: str | Callable[[Any], str], form=None):
    """Run an action: 404s become Http404; other refusals go on the form (or the page).

    ``success`` says what happened and what comes next; when it depends on the result (a number,
    an amount, which way a decision went) pass a function of the action's result."""
    try:
        result = fn()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.error(request, exc.message)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def get_or_404(fn: Callable):
    """Read what the user may see; a refusal is a 404 page."""
    try:
        return fn()
    except DomainError as exc:
        raise Http404(exc.message) from exc
