from django.apps import AppConfig


class NettingConfig(AppConfig):
    name = "liuzhuan.netting"
    label = "netting"
    verbose_name = "债权债务闭环抵销"
