from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "バックアップからデータベース全体を戻します（今の内容は置き換わります。先にアプリを止めてください）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="tsunagu backup で作ったファイル")
        parser.add_argument("--yes", action="store_true", help="確認せずに実行する")

    def handle(self, *args, **options):
        if not options["yes"]:
            answer = input("今のデータベースの内容はすべて置き換わります。続けますか？ [yes/no]: ")
            if answer.strip().lower() not in ("yes", "y", "はい"):
                raise CommandError("中止しました")
        try:
            restore(Path(options["file"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{options['file']} から戻しました。`tsunagu audit verify` で監査ログを確かめてください。")
