"""What a paper copy proves: the hash of what it prints."""

from __future__ import annotations

import hashlib
import json

from ..ledger.models import Piece


def content_hash(piece: Piece) -> str:
    """SHA-256 over what the paper copy prints, so a printed copy can be checked against the record."""
    cert = piece.certificate
    app = cert.application
    content = {
        "certificate": cert.number, "piece": piece.number, "creditor": cert.creditor.name, "debtor": cert.debtor.name,
        "basis": f"{app.contract_title}（{app.contract_no}）", "face_fen": cert.face_fen, "piece_fen": piece.amount_fen,
        "holder": piece.holder.name, "maturity": cert.maturity_date.isoformat(), "issue_date": cert.issue_date.isoformat(),
        "settlement": app.settlement_label, "extension": app.extension_label, "operator": cert.operator.name,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
