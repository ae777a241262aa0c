import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from liuzhuan.core.daily import FAILED, registered_jobs, run_daily
from liuzhuan.core.dates import today_china
from liuzhuan.core.discovery import app_modules


def load_jobs() -> None:
    """Import ``<app>.jobs`` for every liuzhuan app so its @daily_job functions register."""
    list(app_modules("jobs"))


class Command(BaseCommand):
    help = "日终批处理：到期、展期、逾期、提醒、风险监测等（幂等：同一天重复运行不会重复处理）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="业务日期 YYYY-MM-DD（默认北京时间今天）")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date 日期“{options['date']}”格式不正确，应为 YYYY-MM-DD") from exc
        else:
            today = today_china()
        load_jobs()
        jobs = registered_jobs()
        if not jobs:
            self.stdout.write("没有需要运行的日终任务。")
            return
        failed = []
        for name, result in run_daily(today):
            if FAILED in result:
                failed.append(name)
                self.stderr.write(f"{today.isoformat()} {name}：失败（已回滚）：{result[FAILED]}")
                continue
            detail = "，".join(f"{k} {v}" for k, v in result.items()) or "无变化"
            self.stdout.write(f"{today.isoformat()} {name}：{detail}")
        if failed:
            raise CommandError(f"日终任务失败 {len(failed)} 项：{'、'.join(failed)}；其余任务已完成，修复后可重新运行（幂等）")
