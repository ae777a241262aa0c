"""Offset (资产抵付 / 消费抵付) and cancellation (注销): assets on offer, the holder's application,
the agreed price, and the cancelled claim on delivery."""
