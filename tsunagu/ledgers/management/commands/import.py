"""`tsunagu import KIND FILE [--mapping M.yaml] [--dry-run] --municipality CODE`: bring in an Excel/CSV ledger.

All or nothing: every row is checked and written in one transaction; any problem (reported by row and column)
leaves the database as it was. Rows imported before are skipped, so a second run changes nothing.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.models import Municipality
from tsunagu.directory.models import Staff
from tsunagu.identity.files import LedgerError
from tsunagu.ledgers import reader, services
from tsunagu.ledgers.kinds import KINDS


class Command(BaseCommand):
    help = ("台帳（xlsx・CSV）を取り込みます。種類: " + "・".join(f"{k}（{v.label}）" for k, v in KINDS.items())
            + "。問題が一つでもあれば何も取り込みません")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="台帳の種類")
        parser.add_argument("file", help="xlsx か CSV（UTF-8・UTF-8 BOM 付き・Shift_JIS/CP932）")
        parser.add_argument("--mapping", help="列の対応表（YAML）")
        parser.add_argument("--dry-run", action="store_true", help="確認だけして何も書き込まない")
        parser.add_argument("--municipality", required=True, help="自治体の団体コード（例: 162116）")
        parser.add_argument("--as", dest="username",
                            help="取り込む職員のログイン名（既定: その自治体のシステム管理者）")

    def handle(self, *args, kind, file, mapping, dry_run, municipality, username, **options):
        m = Municipality.objects.filter(code=municipality).first()
        if m is None:
            raise CommandError(f"団体コード {municipality} の自治体がありません（先に tsunagu profile load）")
        staff = Staff.objects.filter(municipality=m, is_active=True)
        actor = (staff.filter(username=username) if username else
                 staff.filter(roles__kind="admin").order_by("id")).first()
        if actor is None or not services.can_import(actor):
            raise CommandError(f"{m.name}で台帳を取り込める職員（システム管理者か管理者）が見つかりません"
                               + (f"（{username}）" if username else "。--as で指定してください"))
        try:
            spec = reader.load_mapping(Path(mapping).read_bytes()) if mapping else reader.Mapping()
            raw = Path(file).read_bytes()
            table = reader.read_table(raw, file, spec)
        except OSError as exc:
            raise CommandError(f"ファイルを読めません（{exc.strerror or exc}）") from None
        except LedgerError as exc:
            raise CommandError(str(exc)) from None
        if spec.kind and spec.kind != kind:
            raise CommandError(f"対応表は「{spec.kind}」の台帳用です（指定: {kind}）")
        run = services.start_run(actor, kind=kind, filename=Path(file).name, dry_run=dry_run)
        self.stdout.write(f"{file}: {KINDS[kind].label}の台帳を{'確認して' if dry_run else '取り込んで'}います"
                          f"（{table.encoding}）…")

        def progress(done, total):
            self.stdout.write(f"\r  {done:,} / {total:,} 行", ending="")
            self.stdout.flush()

        run = services.run_import(actor, run, table, spec, progress=progress)
        self.stdout.write("")
        if run.errors:
            for line in services.report_lines(run):
                self.stdout.write(line)
            self.stderr.write(f"問題が {len(run.errors):,} 件あります。何も取り込んでいません（取り込み #{run.pk}）")
            sys.exit(1)
        verb = "取り込めます" if dry_run else "取り込みました"
        self.stdout.write(self.style.SUCCESS(
            f"{run.total:,} 行のうち {run.created:,} 件を{verb}（取り込み済みで変化なし {run.skipped:,} 件、"
            f"名寄せの確認待ち {run.candidates:,} 組）"))
