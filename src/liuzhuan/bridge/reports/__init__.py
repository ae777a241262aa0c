"""概况、台账、季度报告 — what the fund reports (第十二条、第二十四条、第二十五条): the overview page,
the ledger, the quarterly figures with Excel and PDF, and the report drafts, reminders and late flag.
"""
