"""Uploaded documents (contract attachments, offset evidence): checked by content, not by name
(``core.uploads.check_document``); size-capped by the operator's parameter
(``CertificateConfig.max_attachment_bytes``); kept with their SHA-256.
"""

from __future__ import annotations

from liuzhuan.core.uploads import ALLOWED_UPLOADS, CheckedUpload, check_document

from .models import CertificateConfig

__all__ = ["ALLOWED_UPLOADS", "CheckedUpload", "check_upload", "upload_limit"]


def upload_limit() -> int:
    """The largest document taken (contracts, offset evidence), in bytes: the operator's setting."""
    return CertificateConfig.get().max_attachment_bytes


def check_upload(content: bytes | None, what: str = "附件") -> CheckedUpload:
    """PDF/PNG/JPEG by magic bytes, not empty, within ``CertificateConfig.max_attachment_bytes``."""
    return check_document(content, upload_limit(), what)
