"""资金监管 (seed 二(三)「合作银行…提供资金监管等配套服务」): the operator's supervised-account
agreements with cooperating banks, and which supervised account received offset cash top-ups and
purchase proceeds."""
