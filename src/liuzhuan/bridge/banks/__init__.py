"""合作银行 — partner banks (第六条、第十八至二十一条): the supervision agreement with joint liability,
its suspension, reactivation and termination.
"""
