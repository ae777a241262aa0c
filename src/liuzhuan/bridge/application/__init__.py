"""申请与审核 — from the SME's request to the bank's confirmation (第八至十条): the materials
checklist, submission, withdrawal, review items, maker-checker approval, rejection, the bank's
confirmation; and the page of one application, to which the loan and recovery stages add their forms.
"""
