"""Request and upload size limits: refused before the body or the file is read, nothing stored."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from liuzhuan.certificates.issuance import actions as issuance
from liuzhuan.certificates.issuance.models import Attachment
from liuzhuan.core.errors import DomainError
from liuzhuan.core.uploads import FileTooLarge, check_document, read_limited
from liuzhuan.setoff.models import Obligation

from ..certificates.conftest import app_input

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def draft(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return issuance.create_application(world.alice, app_input(world.bob_org))


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(world, api, settings):
    c = api(world.alice)
    huge = str(settings.MAX_REQUEST_BYTES + 1)
    r = c.client.post("/api/v1/setoff/obligations/import", data=b"x", content_type="multipart/form-data; boundary=b",
                      CONTENT_LENGTH=huge, HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 413 and r.json()["code"] == "request_too_large" and "超过上限" in r.json()["message"]
    page = c.client.post("/setoff/upload/", data=b"x", content_type="multipart/form-data; boundary=b",
                         CONTENT_LENGTH=huge)
    assert page.status_code == 413 and "提交内容过大" in page.content.decode()
    assert not Obligation.objects.exists()


def test_read_limited_refuses_by_declared_size_and_by_what_it_reads():
    ok = SimpleUploadedFile("a.csv", b"x" * 10)
    assert read_limited(ok, 10) == b"x" * 10
    with pytest.raises(FileTooLarge) as exc:
        read_limited(SimpleUploadedFile("b.csv", b"x" * 11), 10)
    assert exc.value.status == 413 and exc.value.field == "file" and "超过上限" in exc.value.message

    class Lying(io.BytesIO):  # a handler that under-reports the size still cannot make us read it all
        size = 5
    with pytest.raises(FileTooLarge):
        read_limited(Lying(b"x" * 100), 10)


def test_an_oversize_attachment_is_refused_with_the_field_named_and_nothing_stored(world, draft, api, client,
                                                                                    monkeypatch):
    monkeypatch.setattr(issuance, "attachment_limit", lambda: 50)
    c = api(world.alice)
    r = c.client.post(f"/api/v1/certificates/applications/{draft.pk}/attachments",
                      {"file": SimpleUploadedFile("c.png", PNG)}, HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 413 and r.json()["field"] == "file" and r.json()["code"] == "file_too_large"
    client.force_login(world.alice)
    page = client.post(f"/certificates/applications/{draft.pk}/", {"form": "upload", "file": SimpleUploadedFile("c.png", PNG)})
    assert page.status_code in (200, 422) and "超过上限" in page.content.decode()
    assert not Attachment.objects.exists()


def test_an_oversize_obligation_file_is_refused_on_the_page_and_the_api(world, api, client, monkeypatch):
    from liuzhuan.setoff.register import rules

    monkeypatch.setattr(rules, "MAX_BYTES", 20)
    c = api(world.alice)
    body = "债权人统一社会信用代码,债务人统一社会信用代码,金额（元）,依据\n".encode() + b"x" * 40
    r = c.client.post("/api/v1/setoff/obligations/import", {"file": SimpleUploadedFile("d.csv", body)},
                      HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 413 and r.json()["field"] == "file"
    client.force_login(world.alice)
    page = client.post("/setoff/upload/", {"file": SimpleUploadedFile("d.csv", body)})
    assert page.status_code == 422 and "超过上限" in page.content.decode()
    assert not Obligation.objects.exists()


def test_another_organisations_application_takes_no_attachment(world, draft, api):
    c = api(world.outsider)
    r = c.client.post(f"/api/v1/certificates/applications/{draft.pk}/attachments",
                      {"file": SimpleUploadedFile("c.png", PNG)}, HTTP_X_CSRFTOKEN=c.csrf)
    assert r.status_code == 404
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("content,code", [
    (b"", "file_empty"),
    (b"%PDF-" + b"x" * 100, "file_too_large"),
    (b"PK\x03\x04 renamed.pdf", "file_type"),
])
def test_check_document_refuses_by_content_and_names_the_field(content, code):
    with pytest.raises(DomainError) as caught:
        check_document(content, 50, what="营业执照", field="business_licence")
    assert caught.value.code == code and caught.value.field == "business_licence"
    assert "营业执照" in caught.value.message


def test_check_document_reads_the_kind_from_magic_bytes():
    png = check_document(b"\x89PNG\r\n\x1a\n" + b"\0" * 8, 100)
    assert (png.content_type, png.ext, png.size) == ("image/png", "png", 16)
    assert png.sha256 == hashlib.sha256(png.content).hexdigest()
