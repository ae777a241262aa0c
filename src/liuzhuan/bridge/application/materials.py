"""Application material files (第九条): each item of the filed materials checklist is backed by at
least one uploaded file (PDF/PNG/JPEG checked by content with ``core.uploads``). The callers (page
and API) read each upload with ``read_limited(upload, MATERIAL_MAX_BYTES)``; this module checks the
content, reports every missing item at once and stores the files inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from liuzhuan.core import audit
from liuzhuan.core.errors import NotFound, Refusals
from liuzhuan.core.roles import Role
from liuzhuan.core.uploads import CheckedUpload, check_document

from ..fund.queries import get_fund
from ..models.application import Application, ApplicationMaterial, CheckKind

#: the largest material file taken, in bytes. The bridge fund has no upload setting of its own
#: (certificates' limit is the operator's ``CertificateConfig``, another body's choice), so this
#: constant is the fund's: 10 MB holds a scanned multi-page statement at 300 dpi.
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
#: files per checklist item in one submission
MATERIAL_MAX_FILES = 10

#: a file as the page or the API hands it over: (original name, content read with ``read_limited``)
RawFile = tuple[str, bytes]


@dataclass(frozen=True)
class CheckedMaterial:
    key: str
    name: str
    upload: CheckedUpload


def field_name(key: str) -> str:
    return f"materials.{key}"


def check_material_files(r: Refusals, items: list[dict], files: dict[str, list[RawFile]], *,
                         required: bool = True) -> list[CheckedMaterial]:
    """Every file checked (type by magic bytes, size), every item without a file named — all into
    ``r``, so the applicant sees each missing item in one go. ``required=False`` for a correction,
    where the files already on record still count."""
    labels = {item["key"]: item["label"] for item in items}
    out: list[CheckedMaterial] = []
    for key in files:
        if key not in labels:
            r.add("unknown_material", f"申请资料清单中没有“{key}”这一项", field_name(key))
    seen: set[str] = set()
    for key, label in labels.items():
        given = [(n, c) for n, c in files.get(key, []) if c is not None]
        if not given:
            if required:
                r.add("material_missing", f"请上传申请资料“{label}”的文件（第九条）", field_name(key))
            continue
        if len(given) > MATERIAL_MAX_FILES:
            r.add("too_many_files", f"申请资料“{label}”最多上传 {MATERIAL_MAX_FILES} 个文件", field_name(key))
            continue
        for name, content in given:
            upload = r.check(check_document, content, MATERIAL_MAX_BYTES, f"申请资料“{label}”的文件“{name}”", field_name(key))
            if upload is None:
                continue
            if upload.sha256 in seen:
                r.add("file_duplicate", f"申请资料“{label}”的文件“{name}”与另一份文件内容相同", field_name(key))
                continue
            seen.add(upload.sha256)
            out.append(CheckedMaterial(key, (name or f"材料.{upload.ext}")[:200], upload))
    return out


def store_materials(actor, app: Application, materials: list[CheckedMaterial]) -> list[ApplicationMaterial]:
    """Save the files and their rows (inside the caller's transaction, ``app`` locked), one audit
    event per application listing them."""
    checks = {c.key: c for c in app.checks.filter(kind=CheckKind.MATERIAL)}
    rows = []
    for m in materials:
        stored = m.upload.save(f"bridge/{app.pk}")
        rows.append(ApplicationMaterial.objects.create(
            application=app, check_item=checks[m.key], item_key=m.key, file=stored, original_name=m.name,
            content_type=m.upload.content_type, size=m.upload.size, sha256=m.upload.sha256, uploaded_by=actor))
    if rows:
        audit.record(actor, "bridge.application.materials", app, summary={"files": [
            {"item": r.item_key, "name": r.original_name, "size": r.size, "sha256": r.sha256} for r in rows]})
    return rows


def current_files(app: Application) -> dict[int, list[ApplicationMaterial]]:
    """Check id → the files on record for it now (replaced ones left out)."""
    out: dict[int, list[ApplicationMaterial]] = {}
    for f in sorted(app.materials.all(), key=lambda f: f.pk):  # all(): uses a prefetch (API lists) when there is one
        if f.replaced_at is None:
            out.setdefault(f.check_item_id, []).append(f)
    return out


def get_material_file(user, app_id: int, file_id: int) -> ApplicationMaterial:
    """The applicant organisation sees its own files; the fund manager's staff (the first review)
    and the lending bank see the files of applications they handle; everyone else gets 404 — the
    file's existence is not disclosed."""
    org = getattr(user, "organisation", None)
    f = ApplicationMaterial.objects.select_related("application").filter(pk=file_id, application_id=app_id).first()
    if f is None or org is None:
        raise NotFound("文件不存在")
    app = f.application
    fund = get_fund()
    allowed = org.pk == app.applicant_id or (org.pk == app.bank_id and org.has_role(Role.BANK)) \
        or (fund is not None and org.pk == fund.manager_id and org.has_role(Role.FUND_MANAGER))
    if not allowed:
        raise NotFound("文件不存在")
    return f
