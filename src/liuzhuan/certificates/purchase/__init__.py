"""Purchase with lock-up (附带锁定期的收购): approved providers and their capacity, commitments
on a certificate, and holders' sales to the provider after the lock-up ends."""
