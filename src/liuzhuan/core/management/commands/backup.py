from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liuzhuan.core import backup
from liuzhuan.core.errors import DomainError


class Command(BaseCommand):
    help = "在线备份整个数据库（SQLite 在线备份 / PostgreSQL pg_dump），并校验副本；生成 .json 清单"

    def add_arguments(self, parser):
        parser.add_argument("--to", help="备份目录（默认 var/backups/）")
        parser.add_argument("--no-verify", action="store_true", help="SQLite：不对副本运行业务校验（只做完整性检查）")

    def handle(self, *args, **options):
        try:
            result = backup.backup(Path(options["to"]) if options["to"] else None, verify_copy=not options["no_verify"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        m = result.manifest
        checks = "，".join(f"{k} {v}" for k, v in m["checks"].items())
        self.stdout.write(f"备份完成：{result.path}（{m['bytes']:,} 字节，SHA-256 {m['sha256'][:16]}…；{checks}）")
