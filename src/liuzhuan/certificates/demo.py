"""Demo certificates: a housing-debt certificate split over two tiers, a consumption one, open work;
then a pledge to bank1, a purchase commitment by the market purchaser, a completed asset offset
against a housing unit, a market purchase waiting for the SME, and housing-pool units.

Each step lives with its sub-package (``<sub-package>/demo.py``); this runs them in story order,
each part once.
"""

from __future__ import annotations

from .circulation import demo as circulation
from .escrow import demo as escrow
from .fees import demo as fees
from .issuance import demo as issuance
from .issuance.models import Application
from .market import demo as market
from .offset import demo as offset
from .pledge import demo as pledge
from .pledge.models import Pledge
from .purchase import demo as purchase


def load() -> bool:
    first_time = not Application.objects.exists()
    if first_time:
        fees.load()
        circulation.load(issuance.housing_certificate())
        fees.settle()
        issuance.more_applications()
    return _on_the_certificates() or first_time


def _on_the_certificates() -> bool:
    """Pledge, commitment, offset and market purchase on the demo certificates; once (no pledge yet)."""
    if Pledge.objects.exists():
        return False
    housing, flour = issuance.issued(issuance.HOUSING), issuance.issued(issuance.FLOUR)
    if housing is None or flour is None:  # the demo certificates are not there: nothing to build on
        return False
    pledge.load(housing)
    purchase.load(flour)
    offset.load(housing)
    market.load()
    escrow.load()
    return True
