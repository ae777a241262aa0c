"""What the regulator's page and API show of integrity verification."""

from __future__ import annotations

from liuzhuan.members.models import User

from .actions import require_oversight
from .models import VerifyRun, VerifyStatus


def verify_state(actor: User) -> tuple[VerifyRun | None, VerifyRun | None]:
    """(the last finished run, the run queued or running now)."""
    require_oversight(actor)
    last = (VerifyRun.objects.select_related("requested_by")
            .filter(status__in=[VerifyStatus.DONE, VerifyStatus.FAILED]).order_by("-id").first())
    pending = VerifyRun.objects.select_related("requested_by").filter(active_slot=1).first()
    return last, pending


def verify_runs(actor: User):
    require_oversight(actor)
    return VerifyRun.objects.select_related("requested_by").order_by("-id")


def verify_run(actor: User, run_id: int) -> VerifyRun | None:
    require_oversight(actor)
    return VerifyRun.objects.select_related("requested_by").filter(pk=run_id).first()
