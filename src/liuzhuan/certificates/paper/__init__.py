"""The paper copy (纸质凭证): the PDF with its QR code, the recorded print count, and the public
verify page (/verify/<number>) the code opens."""
