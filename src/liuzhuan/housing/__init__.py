"""存量房盘活 (housing revitalisation): the property pool managed by the housing entity and its
four scenarios — handover, exchange back, certificate offset, cash sale — with the registration
checklist. Builds on certificates (issuance and offset actions); certificates never import it."""
