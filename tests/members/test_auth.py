import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from liuzhuan.core.errors import DomainError, NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.members import actions
from liuzhuan.members.models import ApiToken, LoginFailure

from ..conftest import PASSWORD


def test_production_hasher_is_argon2():
    from liuzhuan import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("x", hasher.salt())
    assert encoded.startswith("argon2$argon2id$") and hasher.verify("x", encoded) and not hasher.verify("y", encoded)


def _login(client, username, password, ip="198.51.100.10"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _message(response) -> str:
    """The login form's error."""
    html = response.content.decode()
    return html[html.index('class="errorlist'):].split("</div>")[0]


def _page(response, username: str) -> str:
    """The whole answer less what differs per request: the CSRF token and the echoed username."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return html.replace(f'value="{username}"', 'value=""')


def test_login_and_logout(world):
    c = Client()
    r = _login(c, "alice", PASSWORD)
    assert r.status_code == 302 and r.url == "/"
    home = c.get("/")
    assert "工作台" in home.content.decode()
    c.post("/logout/")
    assert c.get("/").status_code == 302


def test_lockout_after_repeated_failures(world, settings):
    c = Client()
    for _ in range(django_settings.LOGIN_MAX_FAILURES - 1):
        r = _login(c, "alice", "wrong-password")
        assert "用户名或密码不正确" in r.content.decode()
    r = _login(c, "alice", "wrong-password")
    assert r.status_code == 200 and "已锁定" in r.content.decode()
    assert LoginFailure.objects.get(username="alice").locked_until > timezone.now()
    r = _login(c, "alice", PASSWORD)  # right password, still locked
    assert r.status_code == 200 and "已锁定" in r.content.decode() and "_auth_user_id" not in c.session
    assert AuditEvent.objects.filter(action="user.locked").count() == 1
    # the operator sees the lock, and the operator's reset clears it
    page = Client()
    page.force_login(world.checker)
    assert "登录已锁定" in page.get(f"/members/orgs/{world.alice_org.pk}/").content.decode()
    actions.reset_password(world.checker, world.alice.pk, "Fresh-Password-7")
    assert _login(c, "alice", "Fresh-Password-7").status_code == 302


def test_unknown_and_existing_usernames_get_the_same_answers(world):
    """Counting failures only for real accounts told which usernames exist."""
    known, unknown = Client(), Client()
    for _ in range(django_settings.LOGIN_MAX_FAILURES + 1):
        a, b = _login(known, "alice", "wrong-password"), _login(unknown, "nobody-here", "wrong-password")
        assert a.status_code == b.status_code == 200
        assert _page(a, "alice") == _page(b, "nobody-here")
    assert "已锁定" in _message(a)
    assert "nobody-here" not in "".join(AuditEvent.objects.values_list("object_id", flat=True))


def test_lockout_is_per_client_address(world):
    """Someone elsewhere who knows alice's username cannot lock her out."""
    attacker = Client()
    for _ in range(django_settings.LOGIN_MAX_FAILURES + 3):
        _login(attacker, "alice", "guess", ip="203.0.113.66")
    assert "已锁定" in _message(_login(attacker, "alice", PASSWORD, ip="203.0.113.66"))
    assert _login(Client(), "alice", PASSWORD, ip="198.51.100.10").status_code == 302
    # a success clears that address's count; the attacker's lock stays
    assert LoginFailure.objects.filter(username="alice", ip="198.51.100.10").count() == 0
    assert LoginFailure.objects.get(username="alice", ip="203.0.113.66").locked_until is not None


def test_behind_a_proxy_the_forwarded_address_counts(world, settings):
    settings.TRUSTED_PROXIES = 1
    c = Client()
    for n in range(django_settings.LOGIN_MAX_FAILURES):  # the client varies what it claims; the proxy's entry counts
        c.post("/login/", {"username": "alice", "password": "x"}, REMOTE_ADDR="10.0.0.1",
               HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
    assert LoginFailure.objects.get(username="alice", ip="203.0.113.9").locked_until is not None
    ok = Client().post("/login/", {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1",
                       HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert ok.status_code == 302


def test_lock_expires_and_old_failures_lapse(world):
    LoginFailure.objects.create(username="alice", ip="198.51.100.10", locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _login(Client(), "alice", PASSWORD).status_code == 302
    old = timezone.now() - dt.timedelta(minutes=django_settings.LOGIN_LOCK_MINUTES + 1)
    LoginFailure.objects.create(username="bob", ip="198.51.100.10", failures=django_settings.LOGIN_MAX_FAILURES - 1,
                                updated_at=old)
    r = _login(Client(), "bob", "wrong-password")  # the earlier failures are too old to count
    assert "已锁定" not in r.content.decode() and LoginFailure.objects.get(username="bob").failures == 1


def test_token_hashed_at_rest_and_works(world, api):
    token, text = actions.issue_api_token(world.banker, "核心系统", "read")
    stored = ApiToken.objects.get(pk=token.pk)
    assert text.split("_", 2)[2] not in stored.secret_hash and len(stored.secret_hash) == 64
    c = Client()
    r = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert r.status_code == 200 and r.json()["username"] == "banker"
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    first = stored.last_used_at
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as seen:  # a second read soon after writes nothing
        assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in seen.captured_queries)
    stored.refresh_from_db()
    assert stored.last_used_at == first
    ApiToken.objects.filter(pk=stored.pk).update(last_used_at=first - dt.timedelta(minutes=6))
    c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}")
    stored.refresh_from_db()
    assert stored.last_used_at > first  # kept to within five minutes


def test_read_token_cannot_write(world):
    _, text = actions.issue_api_token(world.clerk, "只读", "read")
    r = Client().post(f"/api/v1/organisations/{world.alice_org.pk}/status", {"action": "suspend", "reason": "x"},
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {text}")
    assert r.status_code == 403 and r.json()["code"] == "token_read_only"
    _, wtext = actions.issue_api_token(world.clerk, "读写", "write")
    r = Client().post(f"/api/v1/organisations/{world.alice_org.pk}/status", {"action": "suspend", "reason": "x"},
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {wtext}")
    assert r.status_code == 200 and r.json()["status"] == "suspended"


def test_revoked_expired_and_forged_tokens_refused(world):
    token, text = actions.issue_api_token(world.banker, "t", "read")
    actions.revoke_api_token(world.banker, token.pk)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401
    token2, text2 = actions.issue_api_token(world.banker, "t2", "read")
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {text2}").status_code == 401
    forged = text2.rsplit("_", 1)[0] + "_" + "A" * 43
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
    r = Client().get("/api/v1/me")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_regulator_gets_read_only_token(world):
    with pytest.raises(PermissionDenied):
        actions.issue_api_token(world.inspector, "x", "write")


def test_token_revoke_rejects_other_org(world):
    token, _ = actions.issue_api_token(world.banker, "t", "read")
    with pytest.raises(NotFound):
        actions.revoke_api_token(world.alice, token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(DomainError):
        actions.issue_api_token(world.banker, " ", "read")


def test_change_own_password(world):
    with pytest.raises(DomainError) as exc:
        actions.change_own_password(world.alice, "wrong", "Another-Pass-99")
    assert exc.value.field == "old_password"
    actions.change_own_password(world.alice, PASSWORD, "Another-Pass-99")
    world.alice.refresh_from_db()
    assert world.alice.check_password("Another-Pass-99")
