"""Void (作废) of a certificate issued in error, by operator maker and checker; its open
commitments close and its issuance fee is reversed."""
