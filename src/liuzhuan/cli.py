"""The ``liuzhuan`` console script.

Pure command groups (``netting``, ``bridge``) run without touching Django so they work on a
fresh checkout; everything else is a Django management command (``liuzhuan demo``,
``liuzhuan verify``, ``liuzhuan daily`` ...).
"""

from __future__ import annotations

import importlib
import os
import sys

#: command group -> module whose ``main(argv) -> int`` handles it
PURE_GROUPS = {
    "netting": "liuzhuan.netting.cli",
    "bridge": "liuzhuan.bridge.cli",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PURE_GROUPS:
        module = importlib.import_module(PURE_GROUPS[argv[0]])
        return int(module.main(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuzhuan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liuzhuan", *argv])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
