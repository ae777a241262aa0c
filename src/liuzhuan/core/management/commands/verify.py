from django.core.management.base import BaseCommand

from liuzhuan.core.integrity import run_all


class Command(BaseCommand):
    help = "重新计算审计哈希链并校验全部业务不变量；发现问题时以非零状态退出"

    def handle(self, *args, **options):
        report = run_all()
        for name, found in report.checks:
            mark = "通过" if found == 0 else f"发现 {found} 处问题"
            self.stdout.write(f"{name}：{mark}")
        if report.problems:
            for p in report.problems:
                self.stderr.write(p)
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("校验通过"))
