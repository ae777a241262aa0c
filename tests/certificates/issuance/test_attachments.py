import hashlib

import pytest

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.issuance.models import Attachment
from liuzhuan.core.errors import DomainError, NotFound

from ..conftest import app_input

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return issuance.create_application(world.alice, app_input(world.bob_org))


def test_upload_pdf_stores_hash(world, draft):
    att = issuance.add_attachment(world.alice, draft.pk, "合同.pdf", PDF)
    assert att.sha256 == hashlib.sha256(PDF).hexdigest() and att.content_type == "application/pdf"
    assert att.file.read() == PDF


@pytest.mark.parametrize(("content", "code"), [(b"MZ\x90\x00 not a pdf", "file_type"), (b"", "file_empty"), (b"%PDF-" + b"x" * (11 * 1024 * 1024), "file_too_large")])
def test_bad_uploads_refused(world, draft, content, code):
    with pytest.raises(DomainError) as exc:
        issuance.add_attachment(world.alice, draft.pk, "x.pdf", content)
    assert exc.value.code == code and exc.value.field == "file"
    assert not Attachment.objects.exists()


def test_upload_rejects_other_org(world, draft):
    with pytest.raises(NotFound):
        issuance.add_attachment(world.outsider, draft.pk, "x.pdf", PDF)


def test_upload_via_api_multipart(world, draft, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = api(world.bob)
    r = c.client.post(f"/api/v1/certificates/applications/{draft.pk}/attachments",
                      {"file": SimpleUploadedFile("c.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)}, HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "image/png"
    listing = c.get(f"/certificates/applications/{draft.pk}/attachments").json()
    assert len(listing) == 1
