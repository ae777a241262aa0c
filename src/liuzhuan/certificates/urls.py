"""Certificates pages at /certificates/ (namespace ``certificates``): every sub-package's urls."""

from django.urls import include, path

app_name = "certificates"
urlpatterns = [
    path("", include(f"liuzhuan.certificates.{name}.urls"))
    for name in ("holdings", "issuance", "paper", "circulation", "fees", "pledge", "purchase", "offset", "void", "market", "maturity", "escrow")
]
