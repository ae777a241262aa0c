"""Registration documents (营业执照, 法定代表人身份证件, 身份证件): which a registrant must give, and
checking and keeping them. Checking happens before any write, so a refused file changes nothing."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from liuzhuan.core.errors import DomainError
from liuzhuan.core.uploads import CheckedUpload, check_document

from .models import DocumentKind, Organisation, OrgType, RegistrationChannel, RegistrationDocument, User

#: largest document accepted (a phone photo of a licence or an ID card fits comfortably)
DOCUMENT_LIMIT = 5 * 1024 * 1024

_ORGANISATION_DOCUMENTS = (DocumentKind.BUSINESS_LICENCE.value, DocumentKind.LEGAL_REP_ID.value)
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    OrgType.ENTERPRISE.value: _ORGANISATION_DOCUMENTS,
    OrgType.INSTITUTION.value: _ORGANISATION_DOCUMENTS,
    OrgType.OTHER.value: _ORGANISATION_DOCUMENTS,
    OrgType.PERSON.value: (DocumentKind.PERSON_ID.value,),
}


def required_documents(org_type: str) -> tuple[str, ...]:
    """The document kinds a registrant of ``org_type`` must upload (pure rule)."""
    return REQUIRED_DOCUMENTS.get(org_type, ())


def label(kind: str) -> str:
    return DocumentKind(kind).label


def check_documents(org_type: str, files: Mapping[str, bytes | None], *, must: tuple[str, ...] | None = None
                    ) -> dict[str, CheckedUpload]:
    """Check the uploaded ``files`` (kind → content, None or b"" when not given).

    ``must``: the kinds that have to be given (default: all required for ``org_type``). A kind that
    does not apply to ``org_type`` is refused rather than silently dropped. Errors name the kind."""
    applicable = required_documents(org_type)
    for kind, content in files.items():
        if content and kind not in applicable:
            known = kind in DocumentKind.values
            raise DomainError("document_not_applicable",
                              f"{OrgType(org_type).label if org_type in OrgType.values else '该主体'}无需上传"
                              f"{label(kind) if known else '该文件'}", field=kind)
    for kind in applicable if must is None else must:
        if not files.get(kind):
            raise DomainError("document_required", f"请上传{label(kind)}（PDF、PNG 或 JPEG）", field=kind)
    return {kind: check_document(content, DOCUMENT_LIMIT, label(kind), kind)
            for kind, content in files.items() if content}


def missing_documents(org: Organisation) -> list[str]:
    """Required kinds not on file (registrations made before documents were asked for lack them)."""
    have = set(RegistrationDocument.objects.filter(organisation=org).values_list("kind", flat=True))
    return [k for k in required_documents(org.org_type) if k not in have]


def documents_needed(org: Organisation) -> bool:
    """Online registrations must have their documents; the counter registers against originals."""
    return org.channel == RegistrationChannel.ONLINE


def store_documents(org: Organisation, checked: Mapping[str, CheckedUpload], actor: User | None) -> dict[str, str]:
    """Keep the checked files, one row per kind (a resubmission replaces it). Runs in the caller's
    transaction; returns kind → SHA-256 for the audit record."""
    for kind, upload in checked.items():
        RegistrationDocument.objects.update_or_create(
            organisation=org, kind=kind,
            defaults={"file": upload.save(f"members/{org.pk}"), "content_type": upload.content_type, "size": upload.size,
                      "sha256": upload.sha256, "uploaded_by": actor, "uploaded_at": timezone.now()},
        )
    return {kind: upload.sha256 for kind, upload in checked.items()}
