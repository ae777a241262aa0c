"""Human-readable business numbers with an ISO 7064 MOD 37-36 check character.

``LZ2026000123K``: prefix, year, six-digit serial from a locked counter, check character. A
mistyped character is caught by ``is_valid_number`` before any lookup.
"""

from __future__ import annotations

from django.db import connection
from stdnum.iso7064 import mod_37_36

from .models import Sequence
from .sql import fetch


def next_values(name: str, count: int) -> range:
    """The next ``count`` values of a named counter, reserved with one row lock and one update."""
    if count < 1:
        raise ValueError("count must be positive")
    if not connection.in_atomic_block:
        raise RuntimeError("next_values() must run inside a transaction")
    # one statement: the UPDATE takes the row lock and returns the new top of the block
    rows = fetch("UPDATE core_sequence SET value = value + %s WHERE name = %s RETURNING value", [count, name])
    if not rows:  # first use of this counter: race-free create, then take the block
        Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
        rows = fetch("UPDATE core_sequence SET value = value + %s WHERE name = %s RETURNING value", [count, name])
    top = rows[0][0]
    return range(top - count + 1, top + 1)


def with_check(body: str) -> str:
    return body + mod_37_36.calc_check_digit(body)


def is_valid_number(number: str) -> bool:
    number = (number or "").strip().upper()
    return len(number) > 2 and number.isalnum() and mod_37_36.is_valid(number)


def next_number(prefix: str, year: int) -> str:
    return next_numbers(prefix, year, 1)[0]


def next_numbers(prefix: str, year: int, count: int) -> list[str]:
    return [with_check(f"{prefix}{year}{serial:06d}") for serial in next_values(f"{prefix}{year}", count)]

