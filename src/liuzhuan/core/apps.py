from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "liuzhuan.core"
    label = "core"
    verbose_name = "核心"
