"""Issuance (开具): the joint application by creditor and debtor, contract attachments, the
operator's review by maker and checker, and the certificate with its first piece."""
