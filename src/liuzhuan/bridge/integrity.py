"""Bridge-fund invariants for ``liuzhuan verify`` (the core finds this module): each stage keeps its
own, and importing them registers them, in this order."""

from .fund import integrity as fund  # noqa: F401
from .loan import integrity as loan  # noqa: F401
from .revenue import integrity as revenue  # noqa: F401
