"""Every certificates invariant for ``liuzhuan verify``: core imports this module by discovery, and
importing each sub-package's checks registers them, in the order the report lists them."""

from .ledger import integrity as ledger  # noqa: F401, I001 - the face amount is conserved
from .pledge import integrity as pledge  # noqa: F401
from .offset import integrity as offset  # noqa: F401
from .purchase import integrity as purchase  # noqa: F401
from .maturity import integrity as maturity  # noqa: F401 - also void and settled states
from .fees import integrity as fees  # noqa: F401 - fees shared as the contracts say
