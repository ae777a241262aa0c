"""Service fees (系统服务费): the operator's schedule, the charge each operation records
(charges.py, used by issuance, circulation, pledge and offset), statements, and the 红字冲销 of
an issuance fee when a certificate is voided."""
