"""资金与风险、利率与LPR — the fund (第五条): establishment, the bureau's principal changes (第十一条), the
turnover target (第二十五条), risk exposure with the 30 % halt, warning line, 叫停 and resumption
(第二十二条, rules in ``rules.py``), the LPR table and the manager's fee settings (第七条、第十七条).
"""
