from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "liuzhuan.certificates"
    label = "certificates"
    verbose_name = "应收账款债权凭证"
