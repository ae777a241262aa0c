"""特约商户 (special merchants, seed 二(四), 四(三)): a member organisation holding the merchant role
publishes goods and services; members pay with certificate credit, either by transferring (part
of) a piece to the merchant through certificates' circulation, or — when the merchant is the
certificate's debtor — by consumption offset (消费抵付) through certificates' offset path.

Builds on ``certificates``; ``certificates`` never imports it (docs/design/merchants.md).

    models.py    profiles, catalogue items, orders and lines, settlements
    actions.py   profile, catalogue, ordering, settling, cancelling (the only writers)
    queries.py   browse, my orders, receipts, oversight figures
    receipt.py   the receipt as a Chinese A4 PDF
    views.py, forms.py, urls.py, api.py, demo.py, integrity.py
"""
