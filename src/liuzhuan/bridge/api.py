"""Bridge fund API (/api/v1/bridge), mounted by the root API (``liuzhuan/api.py``): each stage's
endpoints, in the order of the business.

Money is integer fen (``*_fen``) with a formatted ``*_yuan`` alongside; rates are decimal strings.
Members only see their own applications (404 for anyone else's); the manager, the bureau and the
regulator see everything; only the actions decide who may change what.
"""

from __future__ import annotations

from ninja import Router

from .application.api import router as application
from .banks.api import router as banks
from .fund.api import router as fund
from .loan.api import router as loan
from .oversight.api import router as oversight
from .recovery.api import router as recovery
from .reports.api import router as reports
from .revenue.api import router as revenue

router = Router(tags=["续贷过桥资金"])
for stage in (fund, banks, application, loan, recovery, revenue, reports, oversight):
    router.add_router("", stage)
