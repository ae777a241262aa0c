"""监督检查 — the finance bureau's oversight of the fund: inspections (第十四条、第二十六条) and
sanctions on the fund manager and its staff with the referral to the financial regulator (第十八条).
"""
