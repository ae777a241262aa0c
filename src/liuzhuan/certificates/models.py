"""Every certificates model, for Django: one app (label ``certificates``), one migration history.

Each sub-package keeps its records in its own ``models.py``; importing them here registers them
with the app. Code imports a model from its sub-package, never from here.
"""

from .escrow import models as escrow  # noqa: F401
from .fees import models as fees  # noqa: F401
from .issuance import models as issuance  # noqa: F401
from .ledger import models as ledger  # noqa: F401
from .market import models as market  # noqa: F401
from .maturity import models as maturity  # noqa: F401
from .offset import models as offset  # noqa: F401
from .pledge import models as pledge  # noqa: F401
from .purchase import models as purchase  # noqa: F401
from .void import models as void  # noqa: F401
