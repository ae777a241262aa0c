"""Shared fixtures: one organisation and user per role (healthchecks-style alice/bob/charlie)."""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from liuzhuan.core.roles import Role
from liuzhuan.members.identity import make_ric, make_uscc
from liuzhuan.members.models import (
    Organisation,
    OrganisationRole,
    OrgStatus,
    Position,
    RegistrationChannel,
    User,
)

PASSWORD = "Correct-Horse-42"
_counter = itertools.count(1)


def new_uscc() -> str:
    return make_uscc(f"91150802{next(_counter) + 500000:09d}")


def new_ric() -> str:
    return make_ric(f"11010119900101{next(_counter) % 1000:03d}")


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 stays the production hasher (asserted in test_auth); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic in tests: serve from the finders without the manifest.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def make_org(name: str, *roles: Role | str, status: str = OrgStatus.ACTIVE, org_type: str = "enterprise") -> Organisation:
    org = Organisation.objects.create(
        name=name, org_type=org_type, legal_id=new_ric() if org_type == "person" else new_uscc(),
        status=status, channel=RegistrationChannel.ON_SITE,
    )
    for r in roles or (Role.MEMBER,):
        OrganisationRole.objects.create(organisation=org, role=str(r))
    return org


def make_user(org: Organisation, username: str, position: str = Position.STAFF) -> User:
    user = User(username=username, organisation=org, position=position, display_name=username)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class World:
    operator: Organisation
    clerk: User  # operator staff (maker)
    checker: User  # operator manager (checker)
    alice_org: Organisation
    alice: User
    bob_org: Organisation  # the debtor of the certificates tests/certificates issue()
    bob: User
    carol_org: Organisation  # a third member: transferee of claims the debtor may not take (混同)
    carol: User
    bank_org: Organisation
    banker: User
    regulator_org: Organisation
    inspector: User
    outsider_org: Organisation
    outsider: User


@pytest.fixture
def world(db) -> World:
    operator = make_org("测试运营机构", Role.OPERATOR)
    alice_org = make_org("甲公司", Role.MEMBER)
    bob_org = make_org("乙公司", Role.MEMBER)
    carol_org = make_org("戊公司", Role.MEMBER)
    bank_org = make_org("丙银行", Role.BANK, Role.MEMBER)
    regulator_org = make_org("监管局", Role.REGULATOR, org_type="institution")
    outsider_org = make_org("外部公司", Role.MEMBER)
    return World(
        operator=operator,
        clerk=make_user(operator, "clerk"),
        checker=make_user(operator, "checker", Position.MANAGER),
        alice_org=alice_org,
        alice=make_user(alice_org, "alice", Position.MANAGER),
        bob_org=bob_org,
        bob=make_user(bob_org, "bob", Position.MANAGER),
        carol_org=carol_org,
        carol=make_user(carol_org, "carol", Position.MANAGER),
        bank_org=bank_org,
        banker=make_user(bank_org, "banker", Position.MANAGER),
        regulator_org=regulator_org,
        inspector=make_user(regulator_org, "inspector"),
        outsider_org=outsider_org,
        outsider=make_user(outsider_org, "outsider", Position.MANAGER),
    )


class ApiClient:
    """JSON client for /api/v1 using a logged-in session (CSRF enforced like a browser)."""

    def __init__(self, user: User | None = None):
        self.client = Client(enforce_csrf_checks=True)
        if user is not None:
            self.client.force_login(user)
        self.csrf = self.client.get("/api/v1/csrf").json()["csrftoken"]

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, payload: dict | None = None, *, csrf: bool = True, **headers):
        if csrf:
            headers.setdefault("HTTP_X_CSRFTOKEN", self.csrf)
        return self.client.post(f"/api/v1{path}", json.dumps(payload or {}), content_type="application/json", **headers)

    def upload(self, path: str, data: dict, files: dict[str, bytes] | None = None, *, csrf: bool = True, **headers):
        """A multipart POST: form fields and files (name → content)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        if csrf:
            headers.setdefault("HTTP_X_CSRFTOKEN", self.csrf)
        body = {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in data.items() if v is not None}
        body.update({k: SimpleUploadedFile(f"{k}.bin", v) for k, v in (files or {}).items()})
        return self.client.post(f"/api/v1{path}", body, **headers)

    def post_form(self, path: str, data: dict, *, csrf: bool = True, **headers):
        """A multipart post (file uploads)."""
        if csrf:
            headers.setdefault("HTTP_X_CSRFTOKEN", self.csrf)
        return self.client.post(f"/api/v1{path}", data, **headers)


@pytest.fixture
def api():
    return ApiClient


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    pg = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))
    for item in items:
        if "postgres" in item.keywords and not pg:
            item.add_marker(pytest.mark.skip(reason="PostgreSQL-only; runs in the PostgreSQL pass of ./test"))


# registration documents: the smallest files the content checker accepts (by magic bytes)
DOC_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOC_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def documents_for(org_type: str = "enterprise") -> dict[str, bytes]:
    """The documents an online registrant of ``org_type`` must upload."""
    from liuzhuan.members.documents import required_documents

    return {kind: DOC_PDF if i == 0 else DOC_PNG for i, kind in enumerate(required_documents(org_type))}


def approve_registration(world, org_id: int, method: str = "online") -> None:
    """Two-person review of an online registration: the clerk's 初审, the checker's 复核."""
    from liuzhuan.members import actions

    actions.first_review_registration(world.clerk, org_id, "approve", method)
    actions.review_registration(world.checker, org_id, "approve", method)
