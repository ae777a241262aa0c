"""Receivable credit certificates (应收账款债权凭证): one Django app, one sub-package per business.

    ledger/       certificates, pieces, title registrations; the helpers every business uses:
                  the rules on a piece (rules.py: a frozen piece does not move), splitting and
                  reserving (pieces.py), row locks (locks.py), who may act and the parties'
                  membership standing (checks.py), the offset scope (scope.py), checked uploads
                  (uploads.py), conservation
    fees/         the fee schedule, the contract's fee term (payer, share), charging a fee,
                  settlement (paid / unpaid / arrears), statements, 红字冲销 of an issuance fee
    issuance/     joint applications, attachments, review by maker and checker, issuing
    circulation/  transfer offers (one or a batch), accept / decline / cancel / lapse; title.py:
                  how title passes (registration, fee, notice to the debtor)
    pledge/       质押: pledge, registration, release, enforcement, consented transfer
    purchase/     附带锁定期的收购: providers, commitments, sales after the lock-up
    offset/       资产抵付 / 消费抵付: assets, offset applications, evidence, the holder's receipt,
                  the operator's cancellation registration (注销登记)
    maturity/     maturity, automatic extension (展期) of the unpaid pieces under the agreed
                  conditions, the debtor's application / a holder's objection, overdue, reminders
    escrow/       资金监管: the operator's supervised-account agreements with cooperating banks;
                  which supervised account received an offset top-up or purchase proceeds
    void/         作废 of a certificate issued in error
    market/       市场化收购: the purchaser buys an SME receivable and applies for its certificate
    holdings/     我的凭证: the member's dashboard, certificate and piece pages, a piece's actions
    paper/        the paper copy (PDF) and the public verify page its QR code opens

Inside each, where it has such code: ``models.py``, ``actions.py`` (the only writers: each
action checks who is asking, validates, locks the certificate row, then pieces, then its own
record, writes, audits and notifies, in one transaction; a ``DomainError`` means nothing
changed), ``queries.py`` (read-only), ``rules.py`` (pure, no Django), ``forms.py``,
``views.py`` + ``urls.py``, ``api.py``, ``integrity.py`` (checks for ``liuzhuan verify``),
``demo.py``.

Imports go one way, never in a loop. Every sub-package may use ``ledger``; ``ledger`` uses none.
Beyond that, and only in this direction:

    escrow       <- offset, purchase (the supervised account a payment went to)
    fees         <- issuance, circulation, pledge, offset, purchase (they charge a fee),
                    void (it reverses the issuance fee)
    circulation  <- pledge, purchase (title passes as for an accepted transfer: title.pass_title)
    purchase     <- void (voiding closes the certificate's commitments)
    issuance, purchase, offset  <- market (its certificate is applied for jointly; the book)
    issuance, circulation, pledge, offset, purchase  <- holdings (the member's pages)
    holdings, purchase  <- paper (who may see a piece; commitments printed on the copy)

The modules at this level (models, urls, api, jobs, demo, integrity, apps) only gather the
sub-packages' parts for Django and the rest of the project.
"""
