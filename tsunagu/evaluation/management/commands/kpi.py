from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.models import Municipality
from tsunagu.core.wareki import format_fiscal_year, parse_fiscal_year
from tsunagu.evaluation.report import render
from tsunagu.privacy.audit import log_action


class Command(BaseCommand):
    help = "評価指標（目標・実績・達成率）を出力します: --format json|csv|xlsx|pdf"

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="団体コード（例: 162116）")
        parser.add_argument("--fiscal-year", required=True, help="年度（例: 2025 / 令和7年度 / R7）")
        parser.add_argument("--format", default="json", choices=["json", "csv", "xlsx", "pdf"])
        parser.add_argument("--output", help="出力先ファイル（省略時は json/csv を標準出力へ）")

    def handle(self, *args, municipality, fiscal_year, format, output, **options):
        m = Municipality.objects.filter(code=municipality).first()
        if m is None:
            raise CommandError(f"団体コード {municipality} の自治体は登録されていません")
        try:
            year = parse_fiscal_year(fiscal_year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if format in ("xlsx", "pdf") and not output:
            raise CommandError(f"{format} 形式では --output でファイルを指定してください")
        data = render(m, year, format)
        log_action(f"export.{format if format in ('pdf', 'xlsx') else 'data'}", municipality=m,
                   actor_label="(コマンド)", detail={"report": "kpi", "fiscal_year": year, "bytes": len(data)})
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"{m.name} {format_fiscal_year(year)} の評価を {output} に出力しました（{len(data):,} バイト）")
        else:
            self.stdout.write(data.decode("utf-8-sig"))
