"""Uploaded documents (contract attachments, offset evidence): checked by content, not by name;
size-capped by the operator's parameter; kept with their SHA-256.

The file is written before the transaction commits: an orphan file after a rollback is harmless,
a row without its file is not.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from liuzhuan.core.errors import DomainError

from .models import CertificateConfig

ALLOWED_UPLOADS = {  # magic bytes → (content type, extension)
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    ext: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    def save(self, folder: str) -> str:
        """Store under ``folder`` by content hash; returns the stored name."""
        return default_storage.save(f"{folder}/{self.sha256[:16]}.{self.ext}", ContentFile(self.content))


def upload_limit() -> int:
    """The largest document taken (contracts, offset evidence), in bytes: the operator's setting."""
    return CertificateConfig.get().max_attachment_bytes


def check_upload(content: bytes | None, what: str = "附件") -> CheckedUpload:
    """PDF/PNG/JPEG by magic bytes, not empty, within ``CertificateConfig.max_attachment_bytes``."""
    config = CertificateConfig.get()
    if not content:
        raise DomainError("file_empty", f"{what}为空", field="file")
    if len(content) > config.max_attachment_bytes:
        raise DomainError("file_too_large", f"{what}大小 {len(content) // 1024} KB 超过上限 {config.max_attachment_bytes // 1024} KB", field="file")
    kind = next((v for magic, v in ALLOWED_UPLOADS.items() if content.startswith(magic)), None)
    if kind is None:
        raise DomainError("file_type", f"{what}只能是 PDF、PNG 或 JPEG 文件", field="file")
    return CheckedUpload(content=content, content_type=kind[0], ext=kind[1], sha256=hashlib.sha256(content).hexdigest())
