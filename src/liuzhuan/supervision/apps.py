from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "liuzhuan.supervision"
    label = "supervision"
    verbose_name = "监管"
