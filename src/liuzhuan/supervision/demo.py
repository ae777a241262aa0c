"""Demo: the regulator has asked for one integrity verification; the task worker that ``./run``
starts runs it, so the event log page shows a result."""

from __future__ import annotations

from liuzhuan.members.models import User

from . import actions
from .models import VerifyRun


def load(stdout=None) -> bool:
    if VerifyRun.objects.exists():
        return False
    regulator = User.objects.filter(username="jg_sun").first()
    if regulator is None:
        return False
    actions.request_verify(regulator)
    return True
