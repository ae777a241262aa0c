"""Service fees (系统服务费): the operator's schedule (the amount and the default payer), the charge
each operation records shared as its contract's fee term says (charges.py, used by issuance,
circulation, pledge and offset), settlement by the operator's finance staff, statements with
paid / unpaid / arrears, and the 红字冲销 of an issuance fee when a certificate is voided."""
