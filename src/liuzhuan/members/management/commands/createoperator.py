import getpass

from django.core.management.base import BaseCommand, CommandError

from liuzhuan.core.errors import DomainError
from liuzhuan.members.bootstrap import create_operator


class Command(BaseCommand):
    help = "创建债权管理服务机构（运营机构）及其负责人账号"

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="机构名称")
        parser.add_argument("--uscc", required=True, help="统一社会信用代码")
        parser.add_argument("--username", required=True)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password", help="不提供时交互输入；也可用环境变量 LIUZHUAN_OPERATOR_PASSWORD")

    def handle(self, *args, **o):
        import os

        password = o["password"] or os.environ.get("LIUZHUAN_OPERATOR_PASSWORD")
        if not password:
            password = getpass.getpass("密码：")
        try:
            user = create_operator(name=o["name"], legal_id=o["uscc"], username=o["username"], password=password, display_name=o["display_name"])
        except DomainError as exc:
            raise CommandError(f"{exc.field or ''} {exc.message}".strip()) from exc
        self.stdout.write(self.style.SUCCESS(f"已创建运营机构“{user.organisation.name}”，负责人账号 {user.username}"))
