"""Typed business errors. Pure module: no Django import.

Actions raise these; the API maps them to a 4xx JSON body ``{code, message, field}``, pages show
``message`` as a form error, and the CLI prints it on one line with a non-zero exit.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused business operation. Nothing has been changed when it is raised."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str = "无权执行此操作", code: str = "forbidden", field: str | None = None):
        super().__init__(code, message, field)


class NotFound(DomainError):
    """Also used for objects that exist but belong to someone else: outsiders learn nothing."""

    status = 404

    def __init__(self, message: str = "对象不存在", code: str = "not_found", field: str | None = None):
        super().__init__(code, message, field)


class Conflict(DomainError):
    """The object changed state under us (e.g. a concurrent transfer won)."""

    status = 409


class DomainErrors(DomainError):
    """Several refusals at once, so a clerk corrects a form in one pass instead of one rule per
    submission. ``code``/``field`` are the first error's; ``message`` lists them all; ``errors``
    keeps each one (the API returns them as ``errors``, pages put each under its field)."""

    def __init__(self, errors: list[DomainError]):
        first = errors[0]
        message = first.message if len(errors) == 1 else f"共 {len(errors)} 处不符合要求：" + "；".join(
            f"（{i}）{e.message}" for i, e in enumerate(errors, start=1))
        super().__init__(first.code, message, first.field)
        self.errors = list(errors)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "errors": [e.as_dict() for e in self.errors]}


class Refusals:
    """Collects the refusals of independent checks: ``value = refusals.check(fn, ...)`` returns
    ``fn``'s result or records its ``DomainError`` and returns ``None``; ``raise_any()`` raises
    them together (a single one as itself)."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainErrors as exc:
            self.errors.extend(exc.errors)
        except DomainError as exc:
            self.errors.append(exc)
        return None

    def add(self, code: str, message: str, field: str | None = None) -> None:
        self.errors.append(DomainError(code, message, field))

    def failed(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise DomainErrors(self.errors)
