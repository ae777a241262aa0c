"""追偿 — loans that go wrong (第十三条、第十七条): overdue marking and recovery cases, plans and
measures, the fraud declaration and the five-year ban.
"""
