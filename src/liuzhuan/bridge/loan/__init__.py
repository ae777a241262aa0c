"""放款与还款 — the money (第十条（二）、第十七条): disbursement into the original loan's repayment
account, the bank's renewal, repayments, what a loan owes on a date, the daily penalty accrual.
"""
