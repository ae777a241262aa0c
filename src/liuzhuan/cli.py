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


#: groups whose successful run may end the process without the interpreter's teardown
QUICK_EXIT = frozenset({"netting"})


def main(argv: list[str] | None = None) -> int:
    as_script = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PURE_GROUPS:
        if argv[0] == "netting":
            # NumPy asks the kernel for transparent huge pages on large arrays; where the kernel
            # then compacts memory on the fault (Debian's default "defrag: madvise"), a 1M run
            # spent 0.3–0.6 s more in the kernel, unevenly. Read when NumPy is first imported.
            os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
        module = importlib.import_module(PURE_GROUPS[argv[0]])
        if as_script and argv[0] in QUICK_EXIT:
            # A 1M-obligation run leaves ~650 MB of arrays and 100k strings: a successful run ends
            # the process inside ``main`` once its files are renamed and its output flushed,
            # before freeing them one by one (≈ 0.2–0.3 s); callers passing argv get the code.
            return int(module.main(argv[1:], quick_exit=True) or 0)
        return int(module.main(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuzhuan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["liuzhuan", *argv])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
