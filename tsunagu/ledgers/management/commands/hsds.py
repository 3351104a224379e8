"""`tsunagu hsds --municipality CODE --output FILE.zip`: the social-resource catalog and places as an Open
Referral HSDS 3.0 data package (datapackage.json + one CSV per table). No personal data."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.models import Municipality
from tsunagu.ledgers import hsds
from tsunagu.privacy.audit import log_action


class Command(BaseCommand):
    help = "社会資源と拠点を Open Referral HSDS 3.0 のデータパッケージ（zip）に書き出します（個人情報は含みません）"

    def add_arguments(self, parser):
        parser.add_argument("--municipality", required=True, help="団体コード（例: 162116）")
        parser.add_argument("--output", required=True, help="書き出す zip ファイル")

    def handle(self, *args, municipality, output, **options):
        m = Municipality.objects.filter(code=municipality).first()
        if m is None:
            raise CommandError(f"団体コード {municipality} の自治体がありません")
        out = Path(output)
        if not out.parent.is_dir():
            raise CommandError(f"出力先のフォルダ {out.parent} がありません")
        data, counts = hsds.export_zip(m)
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            tmp.write_bytes(data)
            tmp.replace(out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CommandError(f"{output} に書き出せません（{exc.strerror or exc}）") from None
        log_action("hsds.exported", municipality=m, actor_label="tsunagu hsds（コマンド）", detail=counts)
        self.stdout.write(self.style.SUCCESS(
            f"{output} に書き出しました: " + "、".join(f"{k} {v:,} 件" for k, v in counts.items())))
