"""Tables of the loan-renewal bridge fund (续贷过桥资金), one module per stage: ``fund`` (the fund,
its principal, status, rate settings and the LPR table), ``banks``, ``application`` (checklist,
applications = loans, review items), ``loan`` (repayments), ``recovery`` (cases, fraud findings),
``revenue`` (deposit interest, remittances), ``reports`` (quarterly reports) and ``oversight``
(the bureau's inspections and sanctions on the manager).

The tables sit below every stage package: the fund's risk figures read the loans, and every stage
checks the fund, so the models form one layer that all of them import. Django registers them
(app label ``bridge``) through the imports below.

Money is integer fen (``BigIntegerField`` with CHECK constraints); rates are ``Decimal``. One
deployment runs one fund (第五条: 市财政局出资设立, 委托兴财控股管理), so ``Fund`` is a singleton
row (id = 1). The rules live in ``bridge/rates/`` and ``bridge/<stage>/rules.py`` (pure) and are
applied by the stages' ``actions.py``.
"""

from . import application, banks, fund, loan, oversight, recovery, reports, revenue  # noqa: F401 - registers the models
