from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tsunagu.directory.profile_skeleton import skeleton
from tsunagu.directory.profile_validation import validate_files
from tsunagu.directory.services import load_profile


class Command(BaseCommand):
    help = "自治体プロファイルの検証・読込・ひな形 (validate FILE… / load FILE… / new FILE)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("validate", help="プロファイルを検証する（読み込まない）。第1版のファイルは第2版への変更を説明する")
        v.add_argument("files", nargs="+")
        ld = sub.add_parser("load", help="プロファイルを検証して読み込む（作成または更新）")
        ld.add_argument("files", nargs="+")
        new = sub.add_parser("new", help="コメント付きのひな形を書き出す（既存のファイルは上書きしない）")
        new.add_argument("files", nargs=1)
        new.add_argument("--name", default="○○市", help="自治体名（例: 例市）")
        new.add_argument("--code", default="000000", help="全国地方公共団体コード（6桁）")
        new.add_argument("--prefecture", default="○○県", help="都道府県名")

    def handle(self, *args, action, files, **options):
        if action == "new":
            return self._new(Path(files[0]), options)
        notes = []
        profiles, problems = validate_files(files, notes)
        for note in notes:
            self.stdout.write(str(note))
        if problems:
            for p in problems:
                self.stderr.write(str(p))
            raise CommandError(f"{len(problems)} 件の問題があります。何も読み込んでいません。")
        if action == "validate":
            for profile in profiles:
                self.stdout.write(f"OK: {profile.name} ({profile.code})")
            if notes:
                self.stdout.write(f"第1版のファイルを第2版として読みました（変更 {len(notes)} 件、上に表示）。"
                                  "ファイルを第2版に書き直してください（docs/onboarding.md）。")
            return
        for path, profile in zip(files, profiles, strict=True):
            m = load_profile(profile, source=str(path))
            self.stdout.write(
                f"読込完了: {m.name} ({m.code}) 地区 {len(profile.districts)} / 機関 {len(profile.agency_codes())} / "
                f"事業 {len(profile.projects)} / 役割 {len(profile.roles)} / 会議 {len(profile.meeting_types)} / "
                f"指標 {len(profile.kpis)} / 拠点 {len(profile.places)}"
            )

    def _new(self, path: Path, options):
        if path.exists():
            raise CommandError(f"{path} はすでにあります。上書きしません。")
        if not path.parent.exists():
            raise CommandError(f"フォルダ {path.parent} がありません。")
        path.write_text(skeleton(name=options["name"], code=options["code"], prefecture=options["prefecture"]),
                        encoding="utf-8")
        self.stdout.write(f"ひな形を書き出しました: {path}（docs/onboarding.md の手順で埋めてください）")
