"""Reading an uploaded file with a limit checked before the content is read.

Django has already streamed a large upload to a temporary file (``FILE_UPLOAD_MAX_MEMORY_SIZE``);
``read()`` on it would pull the whole of it into the worker's memory. The declared size is known
without reading, so an oversize file is refused first, and never more than ``limit + 1`` bytes
are read even if the size was wrong.
"""

from __future__ import annotations

from .errors import DomainError


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
