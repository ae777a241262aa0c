"""The rules of the loan-renewal bridge fund (续贷过桥资金) that price a loan. Pure: no Django import.

Source: 桐城市中小企业续贷过桥资金管理办法（征求意见稿）. Article numbers in the Chinese messages
refer to that text. Design notes (day-count basis, rounding, which cap binds, the 1 January rule)
are in ``docs/design/bridge-rates.md``. ``liuzhuan bridge quote|cap`` (``bridge/cli.py``) uses
these modules without a database, so nothing here may import Django or the bridge models.

* ``common`` — the error for unusable input, working precision, how rates and percentages are written;
* ``lpr`` — the LPR table (shipped history in ``bridge/data/lpr.csv``), the rate in force on a day;
* ``fees`` — days of use (第十条（二）), amount limits (第十条（三）), daily/annual rates, the caps
  (第七条) and the occupation fee;
* ``penalty`` — the overdue penalty and its cap (第十七条);
* ``quote`` — one bridge loan priced and checked against all of the above.

Conventions:

* money is integer fen; rates are ``Decimal`` fractions (``Decimal("0.00033")`` is 3.3‱);
  LPR values are ``Decimal`` *percent* as published (``Decimal("3.00")``);
* a fee is ``principal × daily rate × days`` rounded half-up to the fen **once**;
* a daily rate derived from an annual one (4 × LPR ÷ basis, Jan-1 LPR ÷ basis) has no finite
  decimal form: it is *shown* truncated at ``fees.RATE_PLACES`` decimals (never rounded up), but the
  fee is computed as ``principal × annual × days ÷ basis`` with the division last, so the fee is
  the exact half-up rounding of the true amount.

The rules that decide on the fund rather than on a loan (the 30 % halt, turnover) are in
``bridge/fund/rules.py``.
"""
