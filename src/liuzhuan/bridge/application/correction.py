"""Return for correction (退回补正): the manager's first reviewer sends a submitted application back
to the SME with a reason listing what to fix; the SME replaces or adds material files and
resubmits; the application is then awaiting the first review again.

``submitted`` → ``returned`` (reviewer, with a reason) → ``submitted`` (applicant, resubmit).
A returned application is still in the pipeline (it keeps its contract's one-open slot, the SME
may withdraw it and the manager may still reject it), but nobody can tick checks or prepare it
while it waits for the SME. See docs/design/bridge-materials.md.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from liuzhuan.core import audit
from liuzhuan.core.errors import NotFound, Refusals
from liuzhuan.core.permissions import require_role
from liuzhuan.core.roles import Role
from liuzhuan.members.actions import notify

from .. import inputs
from ..fund.actions import notify_manager, require_manager_org
from ..fund.queries import require_fund
from ..models.application import Application, ApplicationCheck, ApplicationMaterial, AppStatus, CheckKind
from .actions import lock_application, status_error
from .materials import RawFile, check_material_files, store_materials


def return_for_correction(actor, app_id: int, *, reason: str) -> Application:
    """The first reviewer (any staff member of the fund manager) returns an application awaiting
    the first review; the reason says what to fix and is shown to the applicant."""
    fund = require_fund()
    require_manager_org(actor, fund)
    reason = inputs.text(reason, "reason", "补正要求", max_length=500)
    with transaction.atomic():
        app = lock_application(app_id)
        if app.status != AppStatus.SUBMITTED:
            raise status_error(app, "退回补正")
        app.status, app.returned_by, app.returned_at, app.return_reason = AppStatus.RETURNED, actor, timezone.now(), reason
        app.save(update_fields=["status", "returned_by", "returned_at", "return_reason"])
        audit.record(actor, "bridge.application.return", app, summary={
            "before": {"status": AppStatus.SUBMITTED}, "after": {"status": app.status}, "reason": reason})
        notify(app.applicant, f"过桥资金申请 {app.number} 退回补正",
               f"请按以下要求补正后重新提交：{reason}", obj=app)
        return app


def resubmit_application(actor, app_id: int, *, files: dict[str, list[RawFile]], note: str = "",
                         add: bool = False) -> Application:
    """The applicant resubmits a returned application. Files given for an item replace that item's
    current files (``add=True``: are added beside them); replaced files stay on record, marked.
    Every item must still have a file afterwards. The items with new files and every item that
    did not pass go back to 待审核 for the reviewer."""
    require_role(actor, Role.MEMBER)
    note = inputs.text(note, "note", "补正说明", max_length=500, required=False)
    with transaction.atomic():
        app = lock_application(app_id)
        if app.applicant_id != actor.organisation_id:
            raise NotFound("过桥资金业务不存在")
        if app.status != AppStatus.RETURNED:
            raise status_error(app, "补正后重新提交")
        checks = {c.key: c for c in ApplicationCheck.objects.select_for_update().filter(application=app).order_by("pk")}
        items = [{"key": c.key, "label": c.label} for c in checks.values() if c.kind == CheckKind.MATERIAL]
        r = Refusals()
        new = check_material_files(r, items, files, required=False)
        current = list(ApplicationMaterial.objects.select_for_update().filter(application=app).order_by("pk"))
        known = {f.sha256 for f in current}
        for m in new:
            if m.upload.sha256 in known:
                r.add("file_duplicate", f"文件“{m.name}”与本申请已上传的文件内容相同", f"materials.{m.key}")
        replaced_keys = {m.key for m in new} if not add else set()
        live = {f.item_key for f in current if f.replaced_at is None and f.item_key not in replaced_keys} | {m.key for m in new}
        for item in items:
            if item["key"] not in live:
                r.add("material_missing", f"请上传申请资料“{item['label']}”的文件（第九条）", f"materials.{item['key']}")
        r.raise_any()
        now = timezone.now()
        gone = [f for f in current if f.replaced_at is None and f.item_key in replaced_keys]
        for f in gone:
            f.replaced_at = now
            f.save(update_fields=["replaced_at"])
        store_materials(actor, app, new)
        touched = {m.key for m in new}
        reopened = []
        for c in checks.values():
            if c.passed is False or (c.kind == CheckKind.MATERIAL and c.key in touched):
                c.passed, c.reviewed_by, c.reviewed_at = None, None, None
                c.save(update_fields=["passed", "reviewed_by", "reviewed_at"])
                reopened.append(c.key)
        app.status, app.resubmitted_at = AppStatus.SUBMITTED, now
        app.save(update_fields=["status", "resubmitted_at"])
        audit.record(actor, "bridge.application.resubmit", app, summary={
            "before": {"status": AppStatus.RETURNED}, "after": {"status": app.status}, "note": note,
            "replaced": [{"item": f.item_key, "name": f.original_name, "sha256": f.sha256} for f in gone],
            "reopened_checks": reopened})
        notify_manager(require_fund(), f"过桥资金申请 {app.number} 已补正",
                       f"{app.applicant.name}已按退回要求补正并重新提交（新文件 {len(new)} 个）。{note}", obj=app)
        return app
