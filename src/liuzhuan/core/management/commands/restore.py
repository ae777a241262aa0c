from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from liuzhuan.core import backup
from liuzhuan.core.errors import DomainError
from liuzhuan.core.integrity import run_all


class Command(BaseCommand):
    help = "用备份文件替换当前数据库（须加 --yes），完成后运行全部校验（liuzhuan verify）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="liuzhuan backup 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="确认用备份替换当前全部数据")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            backup.check_file(path)
            if not options["yes"]:
                raise CommandError(f"恢复将用 {path.name} 替换当前全部数据；确认无误请加 --yes 重新运行（未做任何改动）")
            backup.restore(path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        # a backup taken by an older release is brought forward to this release's schema
        call_command("migrate", interactive=False, verbosity=0)
        report = run_all()
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"已从 {path.name} 恢复，但校验发现 {len(report.problems)} 处问题（见上）")
        self.stdout.write(f"已从 {path.name} 恢复，校验通过（{len(report.checks)} 项）")
