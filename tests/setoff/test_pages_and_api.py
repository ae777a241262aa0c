"""Set-off pages and API: who sees what, Chinese form errors, bounded ids, the upload report."""

from __future__ import annotations

import pytest
from django.test import Client

from liuzhuan.setoff.models import AgreementStatus, Obligation, ObligationStatus

from .conftest import owe, proposed, run_now
from .test_register import csv_bytes


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def loop(world, django_capture_on_commit_callbacks):
    obls = [owe(world.alice, world.bob, 100_00), owe(world.bob, world.carol, 70_00), owe(world.carol, world.alice, 50_00)]
    run = run_now(world.clerk, django_capture_on_commit_callbacks)
    (agreement,) = proposed(run)
    return run, agreement, obls


def test_a_member_sees_only_its_own_obligations_and_agreements(world, loop):
    _run, agreement, obls = loop
    mine = owe(world.outsider, world.bank_org.users.get(), 5_00, basis="外部")
    page = client(world.alice).get("/setoff/").content.decode()
    assert obls[0].number in page and mine.number not in page
    assert client(world.alice).get(f"/setoff/o/{mine.pk}/").status_code == 404
    assert client(world.outsider).get(f"/setoff/agreements/{agreement.pk}/").status_code == 404
    assert client(world.outsider).get(f"/setoff/agreements/{agreement.pk}/pdf/").status_code == 404
    assert agreement.number not in client(world.outsider).get("/setoff/agreements/").content.decode()
    # the regulator sees everything, read-only
    assert mine.number in client(world.inspector).get("/setoff/").content.decode()
    assert client(world.inspector).get(f"/setoff/agreements/{agreement.pk}/").status_code == 200


def test_signing_a_loop_through_the_pages(world, loop):
    run, agreement, _obls = loop
    assert client(world.alice).get(f"/setoff/runs/{run.pk}/").status_code == 200
    for user in (world.alice, world.bob, world.carol):
        resp = client(user).post(f"/setoff/agreements/{agreement.pk}/confirm/", follow=True)
        assert resp.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXECUTED
    assert "已执行" in client(world.alice).get(f"/setoff/agreements/{agreement.pk}/").content.decode()
    # the wrong organisation posting changes nothing
    other = owe(world.alice, world.bob, 7_00, basis="另一笔")
    resp = client(world.outsider).post(f"/setoff/o/{other.pk}/dispute/", {"reason": "x"})
    assert resp.status_code == 404
    assert Obligation.objects.get(pk=other.pk).status == ObligationStatus.CONFIRMED


def test_agreement_pdf_is_a_chinese_pdf(world, loop):
    import io

    from pypdf import PdfReader

    _, agreement, obls = loop
    resp = client(world.bob).get(f"/setoff/agreements/{agreement.pk}/pdf/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "抵销协议" in text and agreement.number in text and obls[0].number in text


def test_the_form_shows_chinese_errors_and_stores_nothing(world):
    resp = client(world.alice).post("/setoff/new/", {"side": "creditor", "counterparty": world.bob_org.pk,
                                                       "amount": "-3", "basis": "HT"})
    assert resp.status_code == 200 and "金额" in resp.content.decode()
    assert not Obligation.objects.exists()
    resp = client(world.alice).post("/setoff/new/", {"side": "creditor", "counterparty": world.bob_org.pk,
                                                       "amount": "1,000.00", "basis": "HT-1"})
    assert resp.status_code == 302
    assert Obligation.objects.get().amount_fen == 1000_00


def test_an_upload_page_lists_every_refused_row(world):
    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("d.csv", csv_bytes([f"{a},{b},abc,HT-1,,", f"{a},{a},1,HT-2,,"]))
    resp = client(world.alice).post("/setoff/upload/", {"file": f})
    body = resp.content.decode()
    assert resp.status_code == 422 and "第 2 行" in body and "本次未登记任何数据" in body
    assert "债务人与债权人不能是同一主体" in body
    assert not Obligation.objects.exists()
    for fmt in ("csv", "xlsx"):
        assert client(world.alice).get(f"/setoff/template.{fmt}").status_code == 200


def test_odd_ids_in_a_confirmation_post_are_ignored_not_a_500(world):
    resp = client(world.alice).post("/setoff/o/confirm/", {"ids": ["²", "99999999999999999999999", "abc"]})
    assert resp.status_code == 302  # nothing selected: a message, no error page


def test_only_the_operator_starts_a_run_from_the_page(world):
    assert client(world.alice).post("/setoff/runs/start/").status_code == 404
    assert client(world.inspector).post("/setoff/runs/start/").status_code == 404


# --- API ---------------------------------------------------------------------------------------


def test_api_register_confirm_and_import(world, api):
    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    resp = api(world.alice).post("/setoff/obligations", {"creditor_uscc": a, "debtor_uscc": b, "amount_fen": 500,
                                                         "basis": "API-1"})
    assert resp.status_code == 201, resp.content
    oid = resp.json()["id"]
    assert api(world.carol).get(f"/setoff/obligations/{oid}").status_code == 404  # wrong organisation
    assert api(world.carol).post("/setoff/obligations/confirm", {"ids": [oid]}).status_code == 404
    resp = api(world.bob).post("/setoff/obligations/confirm", {"ids": [oid]})
    assert resp.status_code == 200 and resp.json()[0]["status"] == "confirmed"
    # a refused import: 422 with the report, nothing stored
    c = api(world.alice)
    body = csv_bytes([f"{a},{b},-1,API-2,,"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = c.client.post("/api/v1/setoff/obligations/import", {"file": SimpleUploadedFile("x.csv", body)},
                         HTTP_X_CSRFTOKEN=c.csrf)
    assert resp.status_code == 422
    data = resp.json()
    assert data["field"] == "file" and data["report"]["errors"][0]["line"] == 2
    assert Obligation.objects.count() == 1


@pytest.mark.parametrize("path", ["/setoff/obligations/9223372036854775808", "/setoff/agreements/0",
                                  "/setoff/runs/99999999999999999999", "/setoff/obligations?limit=100000"])
def test_api_bounds_ids_and_limits(world, api, path):
    assert api(world.alice).get(path).status_code == 422


def test_api_bad_bodies_name_the_field(world, api):
    resp = api(world.alice).post("/setoff/obligations", {"creditor_uscc": world.alice_org.legal_id,
                                                         "debtor_uscc": world.bob_org.legal_id, "amount_fen": 0,
                                                         "basis": "X"})
    assert resp.status_code == 422 and "amount_fen" in resp.json()["field"]
    resp = api(world.alice).post("/setoff/obligations", {"creditor_uscc": world.alice_org.legal_id,
                                                         "debtor_uscc": world.alice_org.legal_id, "amount_fen": 10,
                                                         "basis": "X"})
    assert resp.status_code == 400 and resp.json()["field"] == "debtor"


def test_api_runs_are_the_operators_and_the_regulator_only_reads(world, api, django_capture_on_commit_callbacks):
    assert api(world.alice).post("/setoff/runs").status_code == 403
    assert api(world.inspector).post("/setoff/runs").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        resp = api(world.clerk).post("/setoff/runs")
    assert resp.status_code == 202
    run = api(world.inspector).get(f"/setoff/runs/{resp.json()['id']}").json()
    assert run["status"] == "done" and run["progress"] == 100
    assert api(world.inspector).get("/setoff/overview").status_code == 200
    assert api(world.alice).get("/setoff/overview").status_code == 403
