"""The obligation register: uploads with a row-by-row report, matching, confirmation, disputes."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from liuzhuan.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from liuzhuan.core.models import AuditEvent
from liuzhuan.setoff.models import Obligation, ObligationStatus
from liuzhuan.setoff.register import actions, rules

HEAD = "债权人统一社会信用代码,债务人统一社会信用代码,金额（元）,债权债务依据（合同/发票编号）,到期日,备注\n"


def csv_bytes(lines: list[str], encoding: str = "utf-8-sig") -> bytes:
    return (HEAD + "\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(rules.HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def refused(world, name: str, content: bytes) -> actions.ImportReport:
    before = (Obligation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(actions.ImportRefused) as exc:
        actions.import_file(world.alice, name, content)
    assert (Obligation.objects.count(), AuditEvent.objects.count()) == before  # nothing half-stored
    assert exc.value.status == 422 and exc.value.field == "file"
    return exc.value.report


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_csv_in_any_common_encoding_registers_pending_obligations(world, encoding):
    a, b, c = world.alice_org.legal_id, world.bob_org.legal_id, world.carol_org.legal_id
    content = csv_bytes([f"{a},{b},\"1,234.56\",发票-001,2026-12-31,钢材", f"{c},{a},99,合同-甲丙-1,,"], encoding)
    report = actions.import_file(world.alice, "债务.csv", content)
    assert (report.rows, report.created, report.matched, report.errors) == (2, 2, 0, [])
    o = Obligation.objects.get(basis="发票-001")
    assert (o.creditor_id, o.debtor_id, o.amount_fen, o.outstanding_fen) == (world.alice_org.pk, world.bob_org.pk, 123456, 123456)
    assert o.status == ObligationStatus.PENDING and o.awaiting_org_id == world.bob_org.pk
    assert world.bob_org.notifications.filter(title__contains="请确认").exists()


def test_an_xlsx_upload_reads_typed_numbers_and_dates(world):
    import datetime as dt

    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    report = actions.import_file(world.alice, "x.xlsx", xlsx_bytes([[a, b, 1500.5, "HT-9", dt.date(2027, 1, 5), ""]]))
    assert report.created == 1
    o = Obligation.objects.get(basis="HT-9")
    assert o.amount_fen == 150050 and o.due_date == dt.date(2027, 1, 5)


def test_the_counterpartys_matching_upload_confirms_instead_of_duplicating(world):
    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    actions.import_file(world.alice, "a.csv", csv_bytes([f"{a},{b},500,HT-1,,"]))
    report = actions.import_file(world.bob, "b.csv", csv_bytes([f"{a},{b},500.00,HT-1,,"]))
    assert (report.created, report.matched) == (0, 1)
    (o,) = Obligation.objects.all()
    assert o.status == ObligationStatus.CONFIRMED and o.confirmed_how == "match"


def test_a_counterparty_upload_with_another_amount_is_refused_naming_both(world):
    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    actions.import_file(world.alice, "a.csv", csv_bytes([f"{a},{b},500,HT-1,,"]))
    with pytest.raises(actions.ImportRefused) as exc:
        actions.import_file(world.bob, "b.csv", csv_bytes([f"{a},{b},499,HT-1,,"]))
    (err,) = exc.value.report.errors
    assert err.line == 2 and "¥500.00" in err.message and "¥499.00" in err.message
    assert Obligation.objects.get().status == ObligationStatus.PENDING


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_stored(world):
    a, b, o = world.alice_org.legal_id, world.bob_org.legal_id, world.outsider_org.legal_id
    report = refused(world, "bad.csv", csv_bytes([
        f"{a},{b},100,HT-1,,",          # 2: fine by itself
        f"{a},{b},一百元,HT-2,,",        # 3: text amount
        f"{a},{b},-5,HT-3,,",            # 4: negative
        f"{a},{a},10,HT-4,,",            # 5: self-debt
        f"{a},{b},100,HT-1,,",           # 6: duplicate of line 2
        f"{b},{o},10,HT-5,,",            # 7: alice is no party
        f"{a},91150802ABC,10,HT-6,,",    # 8: bad USCC
        f"{a},{b},10,,,",                # 9: no basis
        f"{a},{b},1.234,HT-7,,",         # 10: too precise
        f"{a},{b},0,HT-8,,",             # 11: zero
        f"{a},{b},10,HT-9,2026-02-30,",  # 12: impossible date
    ]))
    lines = sorted({e.line for e in report.errors})
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    by_line = {e.line: e for e in report.errors}
    assert by_line[3].column == "金额（元）" and by_line[5].message.startswith("债务人与债权人不能")
    assert "第 2 行重复" in by_line[6].message and "既不是" in by_line[7].message
    assert by_line[12].column == "到期日"


def test_a_member_that_is_not_on_the_platform_is_refused(world):
    from tests.conftest import make_org

    pending = make_org("待审公司", status="pending")
    report = refused(world, "x.csv", csv_bytes([f"{world.alice_org.legal_id},{pending.legal_id},10,HT-1,,"]))
    assert "不是平台的正常状态会员" in report.errors[0].message


@pytest.mark.parametrize(("name", "content", "code"), [
    ("x.xlsx", b"%PDF-1.4 not a spreadsheet", "not_xlsx"),
    ("x.xlsx", b"PK\x03\x04broken zip", "not_xlsx"),
    ("x.csv", "债权人,金额\n1,2\n".encode(), "missing_columns"),
    ("x.csv", HEAD.encode(), "no_rows"),
    ("x.csv", b"", "empty_file"),
    ("x.xls", b"\xd0\xcf\x11\xe0 old excel", "unsupported_format"),
    ("x.csv", b"a,b\x00c", "not_csv"),
    ("x.xlsx", xlsx_bytes([["a"] * 6])[:-200], "not_xlsx"),  # truncated: the zip directory is gone
])
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(world, name, content, code):
    with pytest.raises(DomainError) as exc:
        actions.import_file(world.alice, name, content)
    assert exc.value.code == code and exc.value.field == "file" and exc.value.status == 422
    assert not Obligation.objects.exists()


def test_a_damaged_workbook_and_a_leap_day_due_date(world):
    import zipfile

    good = xlsx_bytes([[world.alice_org.legal_id, world.bob_org.legal_id, 10, "HT-1", "2028-02-29", ""]])
    # a workbook whose sheet XML is cut short: it opens, then fails while its rows are read
    src, out = zipfile.ZipFile(io.BytesIO(good)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    with pytest.raises(DomainError) as exc:
        actions.import_file(world.alice, "x.xlsx", out.getvalue())
    assert exc.value.code == "damaged_xlsx" and exc.value.status == 422
    report = actions.import_file(world.alice, "x.xlsx", good)  # 29 February is a date like any other
    assert report.created == 1


def test_confirm_dispute_and_withdraw_belong_to_the_right_side(world):
    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    o = actions.register_one(world.alice, creditor=a, debtor=b, amount_fen=100_00, basis="HT-1")
    with pytest.raises(Conflict):
        actions.confirm(world.alice, [o.pk])  # the registrant cannot confirm its own claim
    with pytest.raises(NotFound):
        actions.confirm(world.carol, [o.pk])  # wrong organisation: learns nothing
    with pytest.raises(NotFound):
        actions.dispute(world.outsider, o.pk, "不认")
    with pytest.raises(PermissionDenied):
        actions.confirm(world.inspector, [o.pk])  # the regulator reads only
    actions.dispute(world.bob, o.pk, "金额不符")
    o.refresh_from_db()
    assert o.status == ObligationStatus.DISPUTED and o.dispute_reason == "金额不符"
    with pytest.raises(DomainError):
        actions.withdraw(world.bob, o.pk)  # only the registrant withdraws
    actions.withdraw(world.alice, o.pk)
    o.refresh_from_db()
    assert o.status == ObligationStatus.WITHDRAWN
    # the basis is free again once the registration is withdrawn
    again = actions.register_one(world.alice, creditor=a, debtor=b, amount_fen=90_00, basis="HT-1")
    assert again.pk != o.pk


def test_a_single_registration_names_the_field_at_fault(world):
    with pytest.raises(DomainError) as exc:
        actions.register_one(world.alice, creditor=world.alice_org.legal_id, debtor=world.alice_org.legal_id,
                             amount_fen=100, basis="HT")
    assert exc.value.field == "debtor"
    with pytest.raises(DomainError) as exc:
        actions.register_one(world.alice, creditor=world.alice_org.legal_id, debtor=world.bob_org.legal_id,
                             amount_fen=-1, basis="HT")
    assert exc.value.field == "amount_fen"


def test_the_templates_open_with_the_chinese_headers():
    wb = load_workbook(io.BytesIO(rules.template_xlsx()))
    assert [c.value for c in wb.active[1]] == rules.HEADERS
    text = rules.template_csv().decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == rules.HEADERS
    rows, errors = rules.check_rows(rules.read_table("t.csv", rules.template_csv()), __import__("datetime").date(2026, 1, 1))
    assert errors == [] and len(rows) == 1  # the example row is itself valid


def test_a_large_upload_is_imported_by_the_worker_with_progress_and_a_report(world, django_capture_on_commit_callbacks,
                                                                              monkeypatch):
    from django.test import Client

    from liuzhuan.setoff.models import ObligationUpload, UploadStatus

    monkeypatch.setattr(actions, "WORKER_FROM_BYTES", 10)  # any real file counts as large here
    a, b = world.alice_org.legal_id, world.bob_org.legal_id
    c = Client()
    c.force_login(world.alice)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post("/setoff/upload/", {"file": SimpleUploadedFile("big.csv", csv_bytes([f"{a},{b},10,HT-1,,",
                                                                                            f"{a},{b},20,HT-2,,"]))})
    up = ObligationUpload.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/setoff/uploads/{up.pk}/"
    assert up.status == UploadStatus.DONE and up.progress == 100 and up.report["created"] == 2
    assert Obligation.objects.count() == 2
    page = c.get(f"/setoff/uploads/{up.pk}/").content.decode()
    assert "新登记 2 笔" in page
    # a refused large file: the report is kept, nothing stored
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/setoff/upload/", {"file": SimpleUploadedFile("bad.csv", csv_bytes([f"{a},{a},10,HT-3,,"]))})
    bad = ObligationUpload.objects.order_by("-id").first()
    assert bad.status == UploadStatus.REFUSED and bad.report["errors"][0]["line"] == 2
    assert Obligation.objects.count() == 2
    assert "债务人与债权人不能是同一主体" in c.get(f"/setoff/uploads/{bad.pk}/").content.decode()
    # another organisation cannot see either upload
    other = Client()
    other.force_login(world.bob)
    assert other.get(f"/setoff/uploads/{up.pk}/").status_code == 404
    assert "big.csv" not in other.get("/setoff/upload/").content.decode()
