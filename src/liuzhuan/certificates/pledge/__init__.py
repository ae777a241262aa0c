"""Pledge (质押) of a piece to a member, usually a bank: registration (统一登记), release,
enforcement after default, transfer with the pledgee's consent.

A pledged piece is frozen; the refusal of any other business on it (转让、抵付、收购) is
``ledger.rules.require_live``, with the wording in ``ledger.rules.FROZEN_RULES``.
"""
