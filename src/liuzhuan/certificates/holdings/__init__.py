"""我的凭证: the member's dashboard, the certificate and piece pages, the page for pledging,
offsetting or selling a piece, and what may be seen of a piece."""
