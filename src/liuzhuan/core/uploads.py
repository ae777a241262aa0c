"""Uploaded documents: reading with a limit checked before the content is read, and checking the
content by its magic bytes (not its name), kept with its SHA-256.

Django has already streamed a large upload to a temporary file (``FILE_UPLOAD_MAX_MEMORY_SIZE``);
``read()`` on it would pull the whole of it into the worker's memory. The declared size is known
without reading, so an oversize file is refused first, and never more than ``limit + 1`` bytes
are read even if the size was wrong.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .errors import DomainError

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
        """Store under ``folder`` by content hash; returns the stored name.

        The file is written before the caller's transaction commits: an orphan file after a
        rollback is harmless, a row without its file is not."""
        return default_storage.save(f"{folder}/{self.sha256[:16]}.{self.ext}", ContentFile(self.content))


def check_document(content: bytes | None, limit: int, what: str = "附件", field: str = "file") -> CheckedUpload:
    """PDF/PNG/JPEG by magic bytes, not empty, at most ``limit`` bytes; errors name ``field``."""
    if not content:
        raise DomainError("file_empty", f"{what}为空", field=field)
    if len(content) > limit:
        raise DomainError("file_too_large", f"{what}大小 {len(content) // 1024} KB 超过上限 {limit // 1024} KB", field=field)
    kind = next((v for magic, v in ALLOWED_UPLOADS.items() if content.startswith(magic)), None)
    if kind is None:
        raise DomainError("file_type", f"{what}只能是 PDF、PNG 或 JPEG 文件", field=field)
    return CheckedUpload(content=content, content_type=kind[0], ext=kind[1], sha256=hashlib.sha256(content).hexdigest())


class FileTooLarge(DomainError):
    status = 413

    def __init__(self, size: int, limit: int, field: str = "file"):
        super().__init__("file_too_large", f"文件大小 {human_size(size)} 超过上限 {human_size(limit)}，请压缩或拆分后再上传",
                         field=field)


def human_size(n: int) -> str:
    """A byte count as a clerk reads it: "12.5 MB" or "300 KB"."""
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, n // 1024)} KB"


def read_limited(upload, limit: int, field: str = "file") -> bytes:
    """The content of ``upload`` (a Django ``UploadedFile``), or ``FileTooLarge`` if it exceeds
    ``limit`` bytes."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise FileTooLarge(size, limit, field)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(len(data), limit, field)
    return data
