"""Market purchase (市场化收购, 化解债务风险): the market purchaser buys an SME's hard-to-collect
receivable, then applies as debtor for a certificate to the SME; the purchaser's book."""
