"""非税收入 — non-tax revenue (第十五条): deposit interest, remittances to the finance bureau, and what
has been collected but not yet remitted.
"""
