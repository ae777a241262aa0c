from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "liuzhuan.members"
    label = "members"
    verbose_name = "会员与机构"
