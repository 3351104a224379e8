from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tsunagu.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "データベース全体をファイルにバックアップします（SQLite: オンラインバックアップ / PostgreSQL: pg_dump）"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="出力ファイル（省略時は var/backups/tsunagu-日時.backup）")

    def handle(self, *args, **options):
        from django.conf import settings

        output = options["output"] or str(Path(settings.DATA_DIR) / "backups" /
                                          f"tsunagu-{timezone.localtime():%Y%m%d-%H%M%S}.backup")
        try:
            path = backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"バックアップしました: {path}（{path.stat().st_size:,} バイト）")
