"""API bodies several sub-packages share (one schema each in the published API)."""

from __future__ import annotations

from ninja import Schema


class ReasonIn(Schema):
    reason: str = ""
