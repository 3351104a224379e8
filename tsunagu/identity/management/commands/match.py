"""`tsunagu match --municipality CODE`: fill the 名寄せ review queue (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.models import Municipality
from tsunagu.identity.services import run_batch


class Command(BaseCommand):
    help = "名寄せの一括照合: 同一人物・同一世帯の候補を確認待ちの一覧に入れます（何度実行しても同じ結果です）"

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="団体コード（例: 162116）")

    def handle(self, *args, municipality: str, **options):
        m = Municipality.objects.filter(code=municipality).first()
        if m is None:
            codes = ", ".join(f"{x.code} {x.name}" for x in Municipality.objects.filter(kind="municipality"))
            raise CommandError(f"団体コード '{municipality}' の自治体がありません（登録済み: {codes or 'なし'}）")
        if m.is_prefecture:
            raise CommandError(f"{m.name} は都道府県です。名寄せは市町村ごとに行います")
        run = run_batch(m, progress=lambda msg: self.stdout.write(msg))
        self.stdout.write(self.style.SUCCESS(
            f"完了: 新規 {run.created} 件・更新 {run.updated} 件・変化なし {run.unchanged} 件・候補から外れた {run.stale} 件"))
