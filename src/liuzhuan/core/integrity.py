"""Integrity verification: the audit chain plus every registered business invariant.

Business apps register a check with ``@invariant("名称")``; a check yields one Chinese sentence
per violation. ``liuzhuan verify`` and the regulator's page run them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from liuzhuan.core.audit import iter_chain_problems

CheckFn = Callable[[], Iterator[str]]
_CHECKS: list[tuple[str, CheckFn]] = []


def invariant(name: str) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        if all(existing is not fn for _, existing in _CHECKS):
            _CHECKS.append((name, fn))
        return fn

    return deco


@invariant("审计哈希链")
def _audit_chain() -> Iterator[str]:
    for problem in iter_chain_problems():
        yield str(problem)


@dataclass(frozen=True)
class VerifyReport:
    checks: list[tuple[str, int]]  # (name, violations)
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_all(limit_per_check: int = 20) -> VerifyReport:
    checks: list[tuple[str, int]] = []
    problems: list[str] = []
    for name, fn in _CHECKS:
        found = 0
        for message in fn():
            found += 1
            if found <= limit_per_check:
                problems.append(f"[{name}] {message}")
        checks.append((name, found))
    return VerifyReport(checks, problems)
