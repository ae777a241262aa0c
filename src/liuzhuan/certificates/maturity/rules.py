"""Maturity rules that need no database (pure: no Django import): the extension plan and the reminder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..ledger.rules import EXTENSION_CONDITIONS


@dataclass(frozen=True)
class MaturityPlan:
    extensions: tuple[tuple[dt.date, dt.date], ...]  # (from, to) for each new extension
    maturity: dt.date  # maturity after the extensions
    overdue_since: dt.date | None  # set when matured and no extension is left
    unmet: tuple[str, ...] = ()  # the agreed conditions that did not hold (why it was not extended)


def maturity_plan(maturity: dt.date, today: dt.date, *, outstanding_fen: int, extension_days: int | None,
                  extension_max: int | None, extensions_used: int,
                  unmet_on: Callable[[dt.date], tuple[str, ...]] | None = None) -> MaturityPlan:
    """What the daily batch does on ``today`` for a certificate maturing on ``maturity``.

    A certificate is due at the end of its maturity day; from the next day, if any amount is
    still outstanding, it is extended by the clause period (as often as needed to pass today, up
    to the maximum count) or, with no extension left, it is overdue from the day after maturity.
    Running the plan again on the result changes nothing (idempotent). ``unmet_on(maturity)``
    names the agreed conditions not met for that maturity; any unmet stops the extensions there.
    """
    if outstanding_fen <= 0 or maturity >= today:
        return MaturityPlan((), maturity, None)
    steps = []
    allowed = (extension_max or 0) if extension_days else 0
    used = extensions_used
    current = maturity
    unmet: tuple[str, ...] = ()
    while current < today and used < allowed:
        unmet = unmet_on(current) if unmet_on else ()
        if unmet:
            break
        new = current + dt.timedelta(days=extension_days)
        steps.append((current, new))
        current = new
        used += 1
    overdue = current + dt.timedelta(days=1) if current < today else None
    return MaturityPlan(tuple(steps), current, overdue, unmet if overdue else ())


def unmet_conditions(conditions, *, applied: bool, disputed: bool, debtor_in_default: bool) -> tuple[str, ...]:
    """The agreed conditions (codes) that do not hold, as their Chinese descriptions."""
    holds = {"applied": applied, "no_dispute": not disputed, "debtor_not_in_default": not debtor_in_default}
    return tuple(EXTENSION_CONDITIONS[c] for c in conditions if not holds[c])


def overdue_as_of(maturity: dt.date, today: dt.date, *, recorded: dt.date | None, extension_days: int | None,
                  extension_max: int | None, extensions_used: int) -> dt.date | None:
    """Since when a certificate with an amount outstanding is overdue on ``today``, or None.

    ``recorded`` is what the daily batch stored; before the batch has run on a certificate that
    matured, the answer is what the batch will decide (an extension left means not overdue)."""
    if recorded:
        return recorded
    return maturity_plan(maturity, today, outstanding_fen=1, extension_days=extension_days, extension_max=extension_max,
                         extensions_used=extensions_used).overdue_since


def reminder_due(maturity: dt.date, today: dt.date, days_before: int = 7) -> bool:
    """Remind holders and the debtor in the ``days_before`` days up to maturity (once per maturity)."""
    return today <= maturity <= today + dt.timedelta(days=days_before)
