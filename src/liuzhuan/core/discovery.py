"""Find a conventionally named module (``api``, ``urls``, ``jobs``, ``demo`` …) in every liuzhuan app."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType


def app_modules(name: str, *, skip: frozenset[str] = frozenset()) -> Iterator[tuple[object, ModuleType]]:
    """Yield ``(app_config, module)`` for each installed liuzhuan app that has ``<app>.<name>``.

    In INSTALLED_APPS order. A module that exists but fails to import raises, so a broken app
    is never silently skipped.
    """
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("liuzhuan.") or config.label in skip:
            continue
        try:
            module = importlib.import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module
