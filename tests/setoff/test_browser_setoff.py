"""Browser test: three firms upload their debts, confirm each other's, sign a loop and see them shrink."""

from __future__ import annotations

import pytest

from liuzhuan.setoff.models import AgreementStatus, Obligation

from ..browser import browser_page, login, logout, shot  # noqa: F401 - fixture import
from ..conftest import PASSWORD
from .conftest import proposed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD = "债权人统一社会信用代码,债务人统一社会信用代码,金额（元）,债权债务依据（合同/发票编号）,到期日,备注\n"


def test_three_firms_upload_confirm_and_sign_a_loop(world, browser_page, tmp_path):  # noqa: F811
    page, base = browser_page
    firms = [(world.alice, world.bob, "1,000.00"), (world.bob, world.carol, "800.00"), (world.carol, world.alice, "600.00")]

    # each firm uploads what it owes (as the debtor), in the platform's CSV template
    for debtor, creditor, amount in firms:
        path = tmp_path / f"{debtor.username}.csv"
        path.write_text(HEAD + f"{creditor.organisation.legal_id},{debtor.organisation.legal_id},\"{amount}\","
                               f"HT-{debtor.username},2027-03-31,\n", encoding="utf-8-sig")
        login(page, base, debtor.username, PASSWORD)
        page.goto(f"{base}/setoff/upload/")
        page.set_input_files("input[name=file]", str(path))
        page.click("button:has-text('上传并导入')")
        page.wait_for_selector("text=导入完成")
        if debtor is world.alice:
            shot(page, "setoff-01-uploaded")
        logout(page)

    # each creditor confirms the debt owed to it from its queue
    for _debtor, creditor, _amount in firms:
        login(page, base, creditor.username, PASSWORD)
        page.goto(f"{base}/setoff/?side=awaiting")
        page.check("input[name=ids]")
        page.click("button:has-text('确认所选债务')")
        page.wait_for_selector("text=已确认 1 笔债务")
        logout(page)
    assert set(Obligation.objects.values_list("status", flat=True)) == {"confirmed"}

    # the operator starts a run; the loop of 600 is found
    login(page, base, "clerk", PASSWORD)
    page.goto(f"{base}/setoff/runs/")
    page.click("button:has-text('发起抵销测算')")
    page.wait_for_selector("text=可闭环抵销")
    assert "¥1,800.00" in page.content()  # 600 set off on each of three debts
    shot(page, "setoff-02-run")
    logout(page)

    from liuzhuan.setoff.models import SetoffRun

    (agreement,) = proposed(SetoffRun.objects.get())  # a proposal until somebody signs
    for debtor, _creditor, _amount in firms:
        login(page, base, debtor.username, PASSWORD)
        page.goto(f"{base}/setoff/agreements/")
        page.click(f"text={agreement.number} >> nth=0")
        if debtor is world.alice:
            shot(page, "setoff-03-agreement")
        page.click("button:has-text('确认抵销')")
        page.wait_for_selector(".msg.success")
        logout(page)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXECUTED

    login(page, base, "alice", PASSWORD)
    page.goto(f"{base}/setoff/")
    shot(page, "setoff-04-after")
    body = page.content()
    assert "¥400.00" in body  # alice's 1,000 payable to bob is down to 400
    assert "已抵销结清" in body  # carol's 600 owed to alice is gone
    assert sorted(Obligation.objects.values_list("outstanding_fen", flat=True)) == [0, 200_00, 400_00]
