"""Human-readable business numbers with an ISO 7064 MOD 37-36 check character.

``LZ2026000123K``: prefix, year, six-digit serial from a locked counter, check character. A
mistyped character is caught by ``is_valid_number`` before any lookup.
"""

from __future__ import annotations

from django.db import connection
from stdnum.iso7064 import mod_37_36

from .models import Sequence


def next_value(name: str) -> int:
    """Next value of a named counter; must run inside the caller's transaction (row lock)."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_value() must run inside a transaction")
    seq = Sequence.objects.select_for_update().filter(name=name).first()
    if seq is None:  # first use of this counter: race-free create, then lock it
        Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
        seq = Sequence.objects.select_for_update().get(name=name)
    seq.value += 1
    seq.save(update_fields=["value"])
    return seq.value


def with_check(body: str) -> str:
    return body + mod_37_36.calc_check_digit(body)


def is_valid_number(number: str) -> bool:
    number = (number or "").strip().upper()
    return len(number) > 2 and number.isalnum() and mod_37_36.is_valid(number)


def next_number(prefix: str, year: int) -> str:
    serial = next_value(f"{prefix}{year}")
    return with_check(f"{prefix}{year}{serial:06d}")
