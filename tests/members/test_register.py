import pytest

from liuzhuan.core.errors import DomainError, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions
from liuzhuan.members.models import Notification, Organisation, RegistrationReview, User

from ..conftest import PASSWORD, approve_registration, documents_for, new_ric, new_uscc


def _input(**kw):
    base = dict(name="新会员有限公司", org_type="enterprise", legal_id=new_uscc(), username="newbie", password=PASSWORD, display_name="新人")
    base.update(kw)
    return actions.RegistrationInput(**base)


def test_online_registration_creates_pending_org_and_manager(world):
    org = actions.register_organisation(None, _input(), documents_for())
    assert org.status == "pending" and org.channel == "online"
    assert org.has_role("member")
    user = User.objects.get(username="newbie")
    assert user.organisation == org and user.position == "manager" and user.check_password(PASSWORD)
    ev = AuditEvent.objects.get(action="member.register")
    assert ev.object_id == str(org.pk) and ev.summary["after"]["status"] == "pending"
    assert Notification.objects.filter(organisation=world.operator, title__contains="待审核").exists()


def test_natural_person_uses_resident_id(world):
    org = actions.register_organisation(None, _input(org_type="person", name="张三", legal_id=new_ric(), capacity_declared=True),
                                       documents_for("person"))
    assert org.get_org_type_display() == "自然人"


def test_on_site_registration_by_operator(world):
    org = actions.register_organisation(world.clerk, _input(username="", password="", roles=("member", "merchant")))
    assert org.channel == "on_site" and org.has_role("merchant") and org.registered_by == world.clerk
    assert not org.users.exists()


def test_on_site_registration_is_approved_by_another_operator_user(world, api):
    """Maker-checker: whoever registered the organisation on site does not also approve it."""
    org = actions.register_organisation(world.clerk, _input(username="", password=""))
    with pytest.raises(PermissionDenied) as exc:
        actions.review_registration(world.clerk, org.pk, "approve", "on_site")
    assert exc.value.code == "same_maker_checker" and "双人复核" in exc.value.message
    r = api(world.clerk).post(f"/organisations/{org.pk}/review", {"decision": "approve", "method": "on_site"})
    assert r.status_code == 403
    org.refresh_from_db()
    assert org.status == "pending" and not RegistrationReview.objects.exists()
    actions.review_registration(world.checker, org.pk, "approve", "on_site")
    org.refresh_from_db()
    assert org.status == "active"
    online = actions.register_organisation(None, _input(), documents_for())  # online: 初审 then 复核 by another
    assert online.registered_by is None
    approve_registration(world, online.pk)
    online.refresh_from_db()
    assert online.status == "active"


@pytest.mark.parametrize(
    ("kw", "field", "fragment"),
    [
        ({"legal_id": "91150802MA0Q1234X0"}, "legal_id", "校验位不正确"),
        ({"legal_id": "123"}, "legal_id", "18位"),
        ({"org_type": "person", "legal_id": "110101199003074478"}, "legal_id", "身份证"),
        ({"name": "  "}, "name", "名称"),
        ({"org_type": "alien"}, "org_type", "主体类型"),
        ({"password": "12345678901"}, "password", ""),
        ({"roles": ("operator",)}, "roles", "运营机构授予"),
    ],
)
def test_bad_registration_changes_nothing(world, kw, field, fragment):
    before = (Organisation.objects.count(), User.objects.count(), AuditEvent.objects.count())
    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _input(**kw), documents_for())
    assert exc.value.field == field
    assert fragment in exc.value.message
    assert (Organisation.objects.count(), User.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_legal_id_refused(world):
    with pytest.raises(DomainError) as exc:
        actions.register_organisation(None, _input(legal_id=world.alice_org.legal_id), documents_for())
    assert exc.value.code == "legal_id_taken"


def test_on_site_registration_rejects_other_org(world):
    with pytest.raises(PermissionDenied):
        actions.register_organisation(world.alice, _input(username=""))
    assert not Organisation.objects.filter(name="新会员有限公司").exists()


def test_api_self_registration_and_field_errors(world, api):
    client = api()
    r = client.upload("/registrations", {"name": "接口注册公司", "org_type": "enterprise", "legal_id": new_uscc(), "username": "apireg", "password": PASSWORD}, documents_for(), csrf=False)
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "pending"
    bad = client.upload("/registrations", {"name": "坏公司", "org_type": "enterprise", "legal_id": "91150802MA0Q1234X0", "username": "x2", "password": PASSWORD}, documents_for(), csrf=False)
    assert bad.status_code == 400
    assert bad.json()["field"] == "legal_id" and "校验位" in bad.json()["message"]
    missing = client.upload("/registrations", {"org_type": "enterprise"}, csrf=False)
    assert missing.status_code == 422 and missing.json()["field"] == "name"


def test_api_on_site_registration_wrong_org_forbidden(world, api):
    r = api(world.alice).post("/organisations", {"name": "代录公司", "org_type": "enterprise", "legal_id": new_uscc()})
    assert r.status_code == 403
    assert r.json()["code"] == "role_required"
