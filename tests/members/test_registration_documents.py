"""Online registration: required documents (营业执照、法定代表人身份证件 / 身份证件) and two-person
review (初审 by one operator user, 复核 by another)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions
from liuzhuan.members.documents import required_documents
from liuzhuan.members.models import (
    Notification,
    Organisation,
    RegistrationChannel,
    RegistrationDocument,
    RegistrationReview,
    User,
)
from liuzhuan.supervision.labels import action_label

from ..conftest import (
    DOC_PDF,
    DOC_PNG,
    PASSWORD,
    approve_registration,
    documents_for,
    make_org,
    make_user,
    new_uscc,
)


def _input(**kw):
    base = dict(name="网上注册公司", org_type="enterprise", legal_id=new_uscc(), username="webreg", password=PASSWORD)
    base.update(kw)
    return actions.RegistrationInput(**base)


def _snapshot():
    return (Organisation.objects.count(), User.objects.count(), RegistrationDocument.objects.count(),
            AuditEvent.objects.count(), Notification.objects.count())


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def online(world):
    return actions.register_organisation(None, _input(), documents_for())


def test_required_documents_by_subject_type():
    for org_type in ("enterprise", "institution", "other"):
        assert required_documents(org_type) == ("business_licence", "legal_rep_id")
    assert required_documents("person") == ("person_id",)
    assert required_documents("nonsense") == ()


def test_online_registration_keeps_the_documents(world, online):
    docs = {d.kind: d for d in RegistrationDocument.objects.filter(organisation=online)}
    assert set(docs) == {"business_licence", "legal_rep_id"}
    assert docs["business_licence"].content_type == "application/pdf" and docs["business_licence"].size == len(DOC_PDF)
    assert docs["legal_rep_id"].content_type == "image/png" and docs["legal_rep_id"].uploaded_by is None
    ev = AuditEvent.objects.get(action="member.register")
    assert ev.summary["documents"]["business_licence"] == docs["business_licence"].sha256


@pytest.mark.parametrize(("files", "field", "fragment"), [
    ({}, "business_licence", "请上传营业执照"),
    ({"business_licence": DOC_PDF}, "legal_rep_id", "请上传法定代表人身份证件"),
    ({"business_licence": DOC_PDF, "legal_rep_id": b"MZ\x90\x00 not a picture"}, "legal_rep_id", "只能是 PDF、PNG 或 JPEG"),
    ({"business_licence": DOC_PDF, "legal_rep_id": DOC_PNG, "person_id": DOC_PNG}, "person_id", "无需上传"),
])
def test_missing_or_bad_documents_change_nothing(world, files, field, fragment):
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _input(), files)
    assert exc.value.field == field and fragment in exc.value.message
    assert _snapshot() == before


def test_a_person_needs_the_id_document(world):
    from ..conftest import new_ric

    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _input(org_type="person", name="赵六", legal_id=new_ric(), capacity_declared=True),
                                      {"business_licence": DOC_PDF})
    assert exc.value.field == "business_licence"  # not applicable to a person
    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _input(org_type="person", name="赵六", legal_id=new_ric(), capacity_declared=True), {})
    assert exc.value.field == "person_id"


def test_counter_registration_does_not_require_documents(world):
    org = actions.register_organisation(world.clerk, _input(username="", password=""))
    assert not org.documents.exists()


def test_page_names_the_missing_file_in_chinese_and_creates_nothing(world):
    before = _snapshot()
    body = {"name": "页面注册公司", "org_type": "enterprise", "legal_id": new_uscc(), "username": "pagereg2",
            "password": "Good-Password-1", "password2": "Good-Password-1"}
    r = Client().post("/members/register/", {**body, "business_licence": SimpleUploadedFile("l.pdf", DOC_PDF)})
    assert r.status_code == 200 and "请上传法定代表人身份证件" in r.content.decode()
    r = Client().post("/members/register/", {**body, "business_licence": SimpleUploadedFile("l.pdf", b"GIF89a..."),
                                             "legal_rep_id": SimpleUploadedFile("i.png", DOC_PNG)})
    assert r.status_code == 200 and "营业执照只能是 PDF、PNG 或 JPEG 文件" in r.content.decode()
    assert _snapshot() == before


def test_api_names_the_missing_or_bad_file_and_creates_nothing(world, api):
    before = _snapshot()
    body = {"name": "接口注册公司", "org_type": "enterprise", "legal_id": new_uscc(), "username": "apireg2", "password": PASSWORD}
    r = api().upload("/registrations", body, {"business_licence": DOC_PDF}, csrf=False)
    assert r.status_code == 400 and r.json()["field"] == "legal_rep_id" and "请上传" in r.json()["message"]
    r = api().upload("/registrations", body, {"business_licence": b"PK\x03\x04zip", "legal_rep_id": DOC_PNG}, csrf=False)
    assert r.status_code == 400 and r.json()["field"] == "business_licence" and r.json()["code"] == "file_type"
    assert _snapshot() == before
    r = api().upload("/registrations", {**body, "roles": "merchant"}, documents_for(), csrf=False)
    assert r.status_code == 201, r.content
    assert Organisation.objects.get(pk=r.json()["id"]).has_role("merchant")


def test_document_is_shown_to_its_organisation_and_oversight_only(world, online):
    doc = RegistrationDocument.objects.get(organisation=online, kind="business_licence")
    url = f"/members/orgs/{online.pk}/documents/{doc.pk}/"
    own = User.objects.get(username="webreg")
    for user in (own, world.clerk, world.inspector):
        r = _client(user).get(url)
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert b"".join(r.streaming_content) == DOC_PDF
    assert _client(world.alice).get(url).status_code == 404  # another organisation
    other = RegistrationDocument.objects.create(organisation=world.alice_org, kind="business_licence", file=doc.file,
                                                content_type="application/pdf", size=1, sha256="0" * 64)
    assert _client(own).get(f"/members/orgs/{online.pk}/documents/{other.pk}/").status_code == 404  # not this org's
    assert _client(own).get(f"/members/orgs/{world.alice_org.pk}/documents/{other.pk}/").status_code == 404
    assert Client().get(url).status_code == 302  # login first


def test_review_actions_refused_to_non_operators(world, online, api):
    r = _client(world.alice).post(f"/members/review/{online.pk}/", {"stage": "first", f"o{online.pk}-decision": "approve",
                                                                     f"o{online.pk}-method": "online"})
    assert r.status_code == 404
    assert api(world.alice).post(f"/organisations/{online.pk}/first-review", {"decision": "approve", "method": "online"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.first_review_registration(world.inspector, online.pk, "approve", "online")
    online.refresh_from_db()
    assert online.status == "pending" and online.first_reviewed_by is None and not RegistrationReview.objects.exists()


def test_final_review_needs_a_first_review_by_another_user(world, online, api):
    with pytest.raises(DomainError) as exc:
        actions.review_registration(world.checker, online.pk, "approve", "online")
    assert exc.value.code == "first_review_required"
    actions.first_review_registration(world.clerk, online.pk, "approve", "online")
    assert AuditEvent.objects.filter(action="member.first_review").count() == 1
    assert action_label("member.first_review") == "会员注册初审"
    assert Notification.objects.filter(organisation=world.operator, title="会员注册待复核").exists()
    with pytest.raises(PermissionDenied) as exc:
        actions.review_registration(world.clerk, online.pk, "approve", "online")
    assert exc.value.code == "same_maker_checker"
    r = api(world.clerk).post(f"/organisations/{online.pk}/review", {"decision": "approve", "method": "online"})
    assert r.status_code == 403
    online.refresh_from_db()
    assert online.status == "pending" and online.first_reviewed_by == world.clerk
    assert RegistrationReview.objects.filter(organisation=online).count() == 1
    with pytest.raises(DomainError) as exc:  # the first review is done once
        actions.first_review_registration(world.checker, online.pk, "approve", "online")
    assert exc.value.code == "already_first_reviewed"
    html = _client(world.clerk).get("/members/review/").content.decode()
    assert "须由另一名工作人员复核" in html
    review = actions.review_registration(world.checker, online.pk, "approve", "online")
    online.refresh_from_db()
    assert online.status == "active" and review.stage == "final"


@pytest.mark.parametrize("step", ["first", "final"])
def test_rejection_at_each_step_notifies_the_registrant(world, online, step):
    if step == "first":
        actions.first_review_registration(world.clerk, online.pk, "reject", "online", "营业执照不清晰")
    else:
        actions.first_review_registration(world.clerk, online.pk, "approve", "online")
        actions.review_registration(world.checker, online.pk, "reject", "online", "营业执照不清晰")
    online.refresh_from_db()
    assert online.status == "rejected" and online.status_reason == "营业执照不清晰"
    note = Notification.objects.get(organisation=online)
    assert note.title == f"会员注册{'初审' if step == 'first' else '复核'}结果：不通过" and note.body == "营业执照不清晰"


def test_page_takes_both_steps(world, online):
    r = _client(world.clerk).post(f"/members/review/{online.pk}/", {"stage": "first", f"o{online.pk}-decision": "approve",
                                                                     f"o{online.pk}-method": "online"}, follow=True)
    assert "初审通过" in r.content.decode()
    r = _client(world.checker).post(f"/members/review/{online.pk}/", {"stage": "final", f"o{online.pk}-decision": "approve",
                                                                       f"o{online.pk}-method": "online"}, follow=True)
    online.refresh_from_db()
    assert online.status == "active" and "已复核" in r.content.decode()


def test_registration_pending_before_documents_were_asked_for(world):
    """A registration made before migration 0009: online, no documents, no first review. It is not
    approved until the registrant uploads them on resubmission."""
    legacy = make_org("历史注册公司", status="pending")
    Organisation.objects.filter(pk=legacy.pk).update(channel=RegistrationChannel.ONLINE)
    manager = make_user(legacy, "legacy_boss", "manager")
    with pytest.raises(DomainError) as exc:
        actions.first_review_registration(world.clerk, legacy.pk, "approve", "online")
    assert exc.value.code == "documents_missing" and exc.value.field == "business_licence"
    html = _client(world.clerk).get(f"/members/orgs/{legacy.pk}/").content.decode()
    assert "未上传：营业执照、法定代表人身份证件" in html
    actions.first_review_registration(world.clerk, legacy.pk, "request_info", "online", "请上传营业执照和法定代表人身份证件")
    before = _snapshot()
    with pytest.raises(DomainError) as exc:
        actions.resubmit_registration(manager, {"address": "临河区"}, {"business_licence": DOC_PDF})
    assert exc.value.field == "legal_rep_id"
    assert _snapshot() == before
    legacy.refresh_from_db()
    assert legacy.status == "needs_info" and legacy.address != "临河区"
    actions.resubmit_registration(manager, {"address": "临河区"}, documents_for())
    legacy.refresh_from_db()
    assert legacy.status == "pending" and legacy.documents.count() == 2
    approve_registration(world, legacy.pk)
    legacy.refresh_from_db()
    assert legacy.status == "active"


def test_resubmission_replaces_a_document_and_restarts_the_first_review(world, online):
    actions.first_review_registration(world.clerk, online.pk, "approve", "online")
    actions.review_registration(world.checker, online.pk, "request_info", "online", "法定代表人身份证件不清晰")
    manager = User.objects.get(username="webreg")
    old = RegistrationDocument.objects.get(organisation=online, kind="legal_rep_id")
    new_png = DOC_PNG + b"\x01"
    r = _client(manager).post(f"/members/orgs/{online.pk}/", {
        "form": "resubmit", "rs-legal_representative": "钱七", "rs-legal_rep_id": SimpleUploadedFile("id.png", new_png)})
    assert r.status_code == 302
    online.refresh_from_db()
    doc = RegistrationDocument.objects.get(organisation=online, kind="legal_rep_id")
    assert doc.pk == old.pk and doc.size == len(new_png) and doc.sha256 != old.sha256 and doc.uploaded_by == manager
    assert online.status == "pending" and online.first_reviewed_by is None and online.legal_representative == "钱七"
    with pytest.raises(DomainError) as exc:
        actions.review_registration(world.checker, online.pk, "approve", "online")
    assert exc.value.code == "first_review_required"


def test_demo_has_online_registrations_at_each_review_step(db):
    from liuzhuan.members import demo

    assert demo.load() is True
    first, waiting = demo.org("pending1"), demo.org("pending2")
    assert first.channel == waiting.channel == "online" and first.status == waiting.status == "pending"
    assert first.first_reviewed_by.username == "op_clerk" and waiting.first_reviewed_by is None
    assert {d.kind: d.content_type for d in waiting.documents.all()} == {"business_licence": "application/pdf",
                                                                          "legal_rep_id": "image/png"}
    count = RegistrationDocument.objects.count()
    assert demo.load() is False and RegistrationDocument.objects.count() == count == 4
    checker = User.objects.get(username="op_checker")
    actions.review_registration(checker, first.pk, "approve", "online")  # op_checker has the final step
    first.refresh_from_db()
    assert first.status == "active"


def test_counter_form_takes_an_optional_scan_and_checks_it(world):
    body = {"name": "柜台录入公司", "org_type": "enterprise", "legal_id": new_uscc(), "roles": ["member"]}
    before = _snapshot()
    r = _client(world.clerk).post("/members/orgs/new/", {**body, "business_licence": SimpleUploadedFile("l.txt", b"hello")})
    assert r.status_code == 200 and "营业执照只能是 PDF、PNG 或 JPEG 文件" in r.content.decode()
    assert _snapshot() == before
    r = _client(world.clerk).post("/members/orgs/new/", {**body, "business_licence": SimpleUploadedFile("l.pdf", DOC_PDF)})
    assert r.status_code == 302
    org = Organisation.objects.get(name="柜台录入公司")
    assert [d.kind for d in org.documents.all()] == ["business_licence"] and org.documents.get().uploaded_by == world.clerk
