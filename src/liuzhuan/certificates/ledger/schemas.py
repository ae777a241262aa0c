"""API bodies several sub-packages share (one schema each in the published API)."""

from __future__ import annotations

from ninja import Schema


class CertificateReasonIn(Schema):
    reason: str = ""
