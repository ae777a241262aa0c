"""Application material files (第九条) and return for correction (退回补正): upload on submission
(action, page, API), every missing item named at once, content checked by magic bytes and size,
files open only to the applicant, the manager's reviewers and the lending bank; the first reviewer
returns, the SME replaces files and resubmits."""

import hashlib

import pytest
from django.test import Client

from liuzhuan.bridge.application import correction
from liuzhuan.bridge.application.materials import MATERIAL_MAX_BYTES
from liuzhuan.bridge.models.application import Application, ApplicationMaterial, AppStatus
from liuzhuan.core.errors import DomainError, DomainErrors, NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members.models import Notification

from ..conftest import api_apply, material_files, material_pdf, review_check, submitted
from ..test_api import payload


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_upload_on_submission_keeps_name_type_size_and_hash(bw):
    files = material_files("ok")
    app = submitted(bw, files=files)
    rows = list(ApplicationMaterial.objects.filter(application=app).order_by("item_key"))
    assert [r.item_key for r in rows] == ["m1", "m2"]
    content = files["m1"][0][1]
    assert rows[0].sha256 == hashlib.sha256(content).hexdigest() and rows[0].size == len(content)
    assert rows[0].content_type == "application/pdf" and rows[0].original_name == "m1.pdf" and rows[0].uploaded_by == bw.sme
    assert rows[0].check_item.key == "m1" and rows[0].check_item.kind == "material"
    assert rows[0].file.read() == content
    assert AuditEvent.objects.filter(action="bridge.application.materials", object_id=str(app.pk)).exists()


def test_several_files_for_one_item(bw):
    files = material_files("many")
    files["m2"].append(("back.pdf", material_pdf("licence back")))
    app = submitted(bw, files=files)
    assert app.materials.filter(item_key="m2").count() == 2


def test_missing_items_listed_together_nothing_created(bw):
    before = Application.objects.count()
    with pytest.raises(DomainErrors) as exc:
        submitted(bw, files={}, planned_days=12)
    fields = {e.field: e.message for e in exc.value.errors}
    assert "过桥资金申请书" in fields["materials.m1"] and "营业执照" in fields["materials.m2"]
    assert "planned_days" in fields  # the other rules in the same answer
    assert Application.objects.count() == before and ApplicationMaterial.objects.count() == 0


def test_bad_magic_bytes_refused(bw):
    files = material_files("bad")
    files["m1"] = [("evil.pdf", b"MZ\x90\x00 not a pdf")]
    with pytest.raises(DomainError) as exc:
        submitted(bw, files=files)
    assert exc.value.code == "file_type" and exc.value.field == "materials.m1" and "PDF、PNG 或 JPEG" in exc.value.message
    assert Application.objects.count() == 0


def test_oversize_refused_in_action_and_api(bw, api):
    files = material_files("big")
    files["m2"] = [("big.pdf", b"%PDF-" + b"0" * MATERIAL_MAX_BYTES)]
    with pytest.raises(DomainError) as exc:
        submitted(bw, files=files)
    assert exc.value.code == "file_too_large" and exc.value.field == "materials.m2"
    r = api_apply(api(bw.sme), payload(bw), files=files)
    assert r.status_code == 413 and r.json()["field"] == "materials.m2"
    assert Application.objects.count() == 0


def test_api_upload_and_missing_items(bw, api):
    r = api_apply(api(bw.sme), payload(bw), files={})
    assert r.status_code == 400
    body = r.json()
    fields = {e["field"] for e in body["errors"]}
    assert {"materials.m1", "materials.m2"} <= fields
    r = api_apply(api(bw.sme), payload(bw))
    assert r.status_code == 201, r.json()
    material = [c for c in r.json()["checks"] if c["kind"] == "material"]
    assert [len(c["files"]) for c in material] == [1, 1]
    url = material[0]["files"][0]["url"]
    assert client(bw.sme).get(url).status_code == 200
    r = api(bw.sme).post_form("/bridge/applications", {"data": '{"bank_id": "x"}'})
    assert r.status_code == 422 and "bank_id" in str(r.json())


def test_file_open_to_applicant_reviewer_bank_only(bw, api):
    app = submitted(bw)
    f = app.materials.first()
    url = f"/bridge/applications/{app.pk}/files/{f.pk}"
    for user in (bw.sme, bw.clerk, bw.manager, bw.banker):
        r = client(user).get(url)
        assert r.status_code == 200 and b"".join(r.streaming_content) == f.file.open("rb").read()
        assert r["X-Content-Type-Options"] == "nosniff"
    for user in (bw.sme2, bw.banker2, bw.other_fm, bw.bureau, bw.inspector):  # wrong organisation: 404
        assert client(user).get(url).status_code == 404
        assert api(user).get(f"/bridge/applications/{app.pk}/files/{f.pk}").status_code == 404
    other = submitted(bw, user=bw.sme2, original_contract_no="OTHER-1")
    assert client(bw.sme).get(f"/bridge/applications/{app.pk}/files/{other.materials.first().pk}").status_code == 404
    html = client(bw.clerk).get(f"/bridge/applications/{app.pk}/").content.decode()
    assert url in html and "m1.pdf" in html  # the checklist row shows the file backing it


def test_page_upload(bw):
    from liuzhuan.core.dates import today_china

    from ..conftest import page_files
    from ..test_controls import apply_form

    today = today_china()
    c = client(bw.sme)
    assert 'enctype="multipart/form-data"' in c.get("/bridge/apply/").content.decode()
    data = apply_form(bw, today)
    data = {k: v for k, v in data.items() if not k.startswith("materials.")}
    html = c.post("/bridge/apply/", data).content.decode()
    assert "请上传申请资料“过桥资金申请书”的文件" in html and "请上传申请资料“营业执照”的文件" in html
    assert Application.objects.count() == 0
    r = c.post("/bridge/apply/", data | page_files(), follow=True)
    assert "申请已提交" in r.content.decode() and ApplicationMaterial.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# Return for correction (退回补正)
# ---------------------------------------------------------------------------------------------


def test_return_resubmit_review_path(bw):
    app = submitted(bw)
    for c in app.checks.all():
        review_check(bw.clerk, app.pk, c.pk, passed=c.key != "m2", note="" if c.key != "m2" else "执照已过期")
    app = correction.return_for_correction(bw.clerk, app.pk, reason="营业执照已过期，请上传新版执照")
    assert app.status == AppStatus.RETURNED and app.return_reason.startswith("营业执照")
    assert Notification.objects.filter(organisation=bw.sme_org, body__contains="营业执照已过期").exists()
    html = client(bw.sme).get(f"/bridge/applications/{app.pk}/").content.decode()
    assert "营业执照已过期，请上传新版执照" in html and 'id="form-resubmit"' in html
    # while returned the reviewer cannot tick or prepare
    with pytest.raises(DomainError) as exc:
        review_check(bw.clerk, app.pk, app.checks.get(key="m2").pk, passed=True)
    assert exc.value.code == "wrong_status"
    old = app.materials.get(item_key="m2")
    new_pdf = material_pdf("new licence")
    app = correction.resubmit_application(bw.sme, app.pk, files={"m2": [("new.pdf", new_pdf)]}, note="已换新执照")
    assert app.status == AppStatus.SUBMITTED and app.resubmitted_at is not None
    old.refresh_from_db()
    assert old.replaced_at is not None
    live = app.materials.filter(replaced_at__isnull=True, item_key="m2")
    assert [f.sha256 for f in live] == [hashlib.sha256(new_pdf).hexdigest()]
    m2 = app.checks.get(key="m2")
    assert m2.passed is None  # back to the reviewer
    assert app.checks.get(key="m1").passed is True
    review_check(bw.clerk, app.pk, m2.pk, passed=True)
    from liuzhuan.bridge.application.actions import prepare

    assert prepare(bw.clerk, app.pk, mode="self").status == AppStatus.PREPARED
    actions = list(AuditEvent.objects.filter(object_id=str(app.pk), object_type="bridge.application").values_list("action", flat=True))
    assert "bridge.application.return" in actions and "bridge.application.resubmit" in actions
    assert Notification.objects.filter(organisation=bw.fund_org, title__contains="已补正").exists()


def test_return_and_resubmit_through_pages_and_api(bw, api):
    app = submitted(bw)
    c = client(bw.clerk)
    r = c.post(f"/bridge/applications/{app.pk}/", {"form": "return", "return-reason": "申请书缺少盖章"}, follow=True)
    assert "已退回企业补正" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == AppStatus.RETURNED
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = client(bw.sme)
    r = s.post(f"/bridge/applications/{app.pk}/", {"form": "resubmit", "note": "已盖章",
                                                    "materials.m1": SimpleUploadedFile("stamped.pdf", material_pdf("stamped"))}, follow=True)
    assert "已补正并重新提交" in r.content.decode()
    assert Application.objects.get(pk=app.pk).status == AppStatus.SUBMITTED
    r = api(bw.clerk).post(f"/bridge/applications/{app.pk}/return", {"reason": "再补充"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    a = api(bw.sme)
    r = a.post_form(f"/bridge/applications/{app.pk}/resubmit", {"add": "true", "materials.m2": SimpleUploadedFile("x.pdf", material_pdf("extra"))})
    assert r.status_code == 200, r.json()
    m2 = next(c for c in r.json()["checks"] if c["key"] == "m2")
    assert len(m2["files"]) == 2  # added beside the first one


def test_wrong_role_and_wrong_organisation_refused_state_unchanged(bw, api):
    app = submitted(bw)
    for user in (bw.sme, bw.banker, bw.bureau):
        with pytest.raises(PermissionDenied):
            correction.return_for_correction(user, app.pk, reason="x")
    with pytest.raises(PermissionDenied):
        correction.return_for_correction(bw.other_fm, app.pk, reason="x")
    assert api(bw.banker).post(f"/bridge/applications/{app.pk}/return", {"reason": "x"}).status_code == 403
    assert api(bw.sme2).post(f"/bridge/applications/{app.pk}/return", {"reason": "x"}).status_code == 404
    with pytest.raises(DomainError) as exc:
        correction.return_for_correction(bw.clerk, app.pk, reason=" ")
    assert exc.value.field == "reason"
    assert Application.objects.get(pk=app.pk).status == AppStatus.SUBMITTED
    # resubmitting is only for a returned application, and only by its applicant
    with pytest.raises(DomainError) as exc:
        correction.resubmit_application(bw.sme, app.pk, files={})
    assert exc.value.code == "wrong_status"
    correction.return_for_correction(bw.clerk, app.pk, reason="补正")
    with pytest.raises(NotFound):
        correction.resubmit_application(bw.sme2, app.pk, files={"m1": [("a.pdf", material_pdf("a"))]})
    with pytest.raises(DomainError) as exc:
        correction.resubmit_application(bw.sme, app.pk, files={"m1": [("a.exe", b"MZ")]})
    assert exc.value.code == "file_type"
    with pytest.raises(DomainError) as exc:  # the same content as a file already on record
        correction.resubmit_application(bw.sme, app.pk, files={"m1": [("again.pdf", app.materials.get(item_key="m1").file.open("rb").read())]})
    assert exc.value.code == "file_duplicate"
    a = Application.objects.get(pk=app.pk)
    assert a.status == AppStatus.RETURNED and a.materials.filter(replaced_at__isnull=False).count() == 0
    with pytest.raises(DomainError) as exc:  # returned twice: not awaiting the first review
        correction.return_for_correction(bw.clerk, app.pk, reason="再退")
    assert exc.value.code == "wrong_status"
