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
