"""What a paper copy proves: the hash of what it prints, and the code that opens its verify page."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.urls import reverse

from liuzhuan.core.numbers import is_valid_number

from ..ledger.models import VERIFY_CODE_LENGTH, Piece


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


def verify_path(piece: Piece) -> str:
    """The public verify page of ``piece`` with its code: the QR code's target."""
    return f"{reverse('verify', args=[piece.number])}?code={piece.verify_code}"


def format_code(code: str) -> str:
    """``ABCDE-FGHJK``: as printed, easier to read out and type."""
    return f"{code[:5]}-{code[5:]}"


def normalise_code(text: str) -> str:
    """What a person typed: any case, spaces or dashes between the groups."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -")[:40]


#: compared against when no piece has the number, so a miss costs what a wrong code costs
_NO_CODE = "-" * VERIFY_CODE_LENGTH


def piece_for_verification(number: str, code: str) -> Piece | None:
    """The piece whose number and paper code both match, else ``None`` — the same answer whether
    the number is unknown or the code wrong. Codes are compared in constant time."""
    number = (number or "").strip().upper()
    code = normalise_code(code)
    piece = None
    if is_valid_number(number.split("-")[0]):
        piece = (Piece.objects.select_related("certificate", "certificate__application", "holder",
                                              "certificate__creditor", "certificate__debtor", "certificate__operator")
                 .filter(number=number).first())
    expected = piece.verify_code if piece is not None and piece.verify_code else _NO_CODE
    matches = hmac.compare_digest(expected.encode(), code.encode())
    return piece if piece is not None and matches else None
