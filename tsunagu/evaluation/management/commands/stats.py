from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.models import Municipality
from tsunagu.core.wareki import parse_fiscal_year
from tsunagu.evaluation.prefecture import StatsError, export_stats, import_stats


class Command(BaseCommand):
    help = "都道府県向けの集計ファイル（個人を識別しない・3未満は秘匿）の出力と取込"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        e = sub.add_parser("export", help="市町村の集計ファイルを出力する")
        e.add_argument("--municipality", required=True)
        e.add_argument("--fiscal-year", required=True)
        e.add_argument("--output", required=True)
        i = sub.add_parser("import", help="都道府県が市町村の集計ファイルを取り込む")
        i.add_argument("--prefecture", required=True)
        i.add_argument("files", nargs="+")

    def _m(self, code):
        m = Municipality.objects.filter(code=code).first()
        if m is None:
            raise CommandError(f"団体コード {code} は登録されていません")
        return m

    def handle(self, *args, action, **options):
        if action == "export":
            try:
                year = parse_fiscal_year(options["fiscal_year"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            data = export_stats(self._m(options["municipality"]), year)
            Path(options["output"]).write_bytes(data)
            self.stdout.write(f"{options['output']} に出力しました")
            return
        prefecture = self._m(options["prefecture"])
        for path in options["files"]:
            try:
                member, count = import_stats(prefecture, Path(path).read_bytes())
            except (OSError, StatsError) as exc:
                raise CommandError(f"{path}: {exc}") from None
            self.stdout.write(f"{path}: {member.name} の {count} 指標を取り込みました")
