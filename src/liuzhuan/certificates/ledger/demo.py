"""What the sub-packages' demo steps share."""

from __future__ import annotations

from liuzhuan.members.models import User


def user(name: str) -> User:
    return User.objects.get(username=name)
