"""`tsunagu match-file INPUT.csv --output PAIRS.csv`: every candidate pair of a ledger file (名寄せ of a file)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.identity import files, matching


class Command(BaseCommand):
    help = ("台帳ファイル（CSV: id, name, kana, birth, address, phone, sex。UTF-8 または CP932）の中で同一人物の"
            "可能性がある組をすべて書き出します（id_a, id_b, score, band, reasons）。データベースは使いません")

    def add_arguments(self, parser):
        parser.add_argument("input", help="入力 CSV（見出し行つき。どの列も空でよい）")
        parser.add_argument("--output", required=True, help="書き出す CSV")
        parser.add_argument("--encoding", choices=["utf-8", "cp932"], help="入力の文字コード（既定: 自動判別）")
        parser.add_argument("--output-encoding", choices=["utf-8", "cp932"], default="utf-8",
                            help="出力の文字コード（既定: UTF-8、Excel で開けるよう BOM 付き）")
        parser.add_argument("--city", action="append", default=[],
                            help="住所から除く市区町村名（例: --city ○○市）。都道府県名は常に除きます")
        parser.add_argument("--min-score", type=float, default=matching.REVIEW,
                            help=f"書き出す最低スコア（既定: 要確認の閾値 {matching.REVIEW:.2f}）")

    def handle(self, *args, input: str, output: str, encoding, output_encoding, city, min_score, **options):
        out = Path(output)
        if not out.parent.is_dir():
            raise CommandError(f"出力先のフォルダ {out.parent} がありません")
        try:
            ledger = files.read_ledger(Path(input), encoding)
        except files.LedgerError as exc:
            raise CommandError(str(exc)) from None
        for note in ledger.notes:
            self.stderr.write(note)
        self.stdout.write(f"{input}: {len(ledger.ids):,} 件（{ledger.encoding}）を照合しています…")
        result = files.match_ledger(ledger, drop_prefixes=tuple(city), min_score=min_score,
                                    progress=lambda msg: self.stdout.write(msg))
        try:
            files.write_pairs(out, result, encoding=output_encoding)
        except OSError as exc:
            raise CommandError(f"{output} に書き出せません（{exc.strerror or exc}）") from None
        bands = {b: sum(1 for p in result.pairs if p[3] == b) for b in files.BANDS}
        learned = ("この台帳から学習した重み" if result.model.source == "learned"
                   else f"既定の重み（{len(ledger.ids):,} 件は学習には少なすぎます）")
        self.stdout.write(self.style.SUCCESS(
            f"完了: {len(result.pairs):,} 組を {output} に書き出しました（有力候補 {bands['suggest']:,}・"
            f"要確認 {bands['review']:,}、比較したペア {result.compared:,} 組、{learned}）"))
