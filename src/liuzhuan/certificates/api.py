"""Certificates API at /api/v1/certificates (the root finds this module by discovery): every
sub-package's router.

The published contract is fixed here, not by where an endpoint's code lives: endpoints keep the
tag they are listed under and the operation id they had when they were written in two flat
modules (``liuzhuan_certificates_api_<function>`` and ``liuzhuan_certificates_lifecycle_api_<function>``).
A new endpoint gets its id the same way from its function's name.
"""

from ninja import Router

from .circulation import api as circulation
from .escrow import api as escrow
from .fees import api as fees
from .holdings import api as holdings
from .issuance import api as issuance
from .market import api as market
from .maturity import api as maturity
from .offset import api as offset
from .paper import api as paper
from .pledge import api as pledge
from .purchase import api as purchase
from .void import api as void

CERTIFICATES = "应收账款债权凭证"
LIFECYCLE = "凭证生命周期：质押、收购、抵付、作废、展期"

#: (tags, operation-id prefix, sub-packages in the order their endpoints are listed)
GROUPS = (
    ([CERTIFICATES], "liuzhuan_certificates_api", (issuance, holdings, paper, circulation, fees)),
    ([CERTIFICATES, LIFECYCLE], "liuzhuan_certificates_lifecycle_api", (pledge, purchase, offset, void, maturity, market, escrow)),
)

router = Router()
for tags, id_prefix, modules in GROUPS:
    for module in modules:
        for path_view in module.router.path_operations.values():
            for operation in path_view.operations:
                operation.operation_id = operation.operation_id or f"{id_prefix}_{operation.view_func.__name__}"
        router.add_router("", module.router, tags=tags)
