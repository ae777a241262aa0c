from django.apps import AppConfig


class BridgeConfig(AppConfig):
    name = "liuzhuan.bridge"
    label = "bridge"
    verbose_name = "续贷过桥资金"
