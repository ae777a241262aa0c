from django.core.management.base import BaseCommand
from django.db import transaction

from liuzhuan.core.discovery import app_modules


def demo_modules():
    """Each liuzhuan app may ship ``demo.py`` with ``load()``; run in INSTALLED_APPS order."""
    return [module for _config, module in app_modules("demo")]


class Command(BaseCommand):
    help = "载入演示数据（只载入一次；再次运行不会改动已有数据），并打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="不打印演示账号")

    def handle(self, *args, **options):
        from liuzhuan.members import demo as members_demo

        created = False
        with transaction.atomic():
            for module in demo_modules():
                created = bool(module.load()) or created
        self.stdout.write("已载入演示数据。" if created else "演示数据已存在，未作改动。")
        if not options["quiet_logins"]:
            self.stdout.write(f"\n演示账号（密码均为 {members_demo.DEMO_PASSWORD}）：")
            for username, org, roles in members_demo.logins():
                self.stdout.write(f"  {username:<14} {roles:<22} {org}")
