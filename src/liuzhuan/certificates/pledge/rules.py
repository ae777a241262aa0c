"""Pledge rules that need no database (pure: no Django import).

Registration scope (seed 三(三)「若债权质押属于《动产和权利担保统一登记办法》登记范围的，质权人应按规定在中征动产融资
统一登记公示系统办理登记」): the rules decide it, not the pledgor. 《动产和权利担保统一登记办法》第二条 lists
应收账款质押 among the security interests registered in the unified system, and what a certificate
records is a receivable (应收账款债权), so every pledge made on this platform is in scope: it takes
effect only when the pledgee records the registration number and date.
"""

from __future__ import annotations

#: what is pledged on this platform: the receivable a certificate records
RECEIVABLE = "receivable"

#: the basis shown on the pledge and kept in its audit event
REGISTRATION_BASIS = "应收账款质押属《动产和权利担保统一登记办法》第二条登记范围，由质权人在中征动产融资统一登记公示系统办理登记"

#: collateral kinds in the unified registration's scope (第二条); only receivables are pledged here
IN_SCOPE = frozenset({RECEIVABLE})


def registration_required(collateral: str = RECEIVABLE) -> bool:
    """Whether a pledge of ``collateral`` must be registered before it takes effect."""
    return collateral in IN_SCOPE
