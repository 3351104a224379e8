from django.core.management.base import BaseCommand, CommandError

from tsunagu.directory.profile_validation import validate_files
from tsunagu.directory.services import load_profile


class Command(BaseCommand):
    help = "自治体プロファイルの検証と読込 (validate FILE… / load FILE…)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("validate", help="プロファイルを検証する（読み込まない）")
        v.add_argument("files", nargs="+")
        ld = sub.add_parser("load", help="プロファイルを検証して読み込む（作成または更新）")
        ld.add_argument("files", nargs="+")

    def handle(self, *args, action, files, **options):
        profiles, problems = validate_files(files)
        if problems:
            for p in problems:
                self.stderr.write(str(p))
            raise CommandError(f"{len(problems)} 件の問題があります。何も読み込んでいません。")
        if action == "validate":
            for profile in profiles:
                self.stdout.write(f"OK: {profile.name} ({profile.code})")
            return
        for path, profile in zip(files, profiles, strict=True):
            m = load_profile(profile, source=str(path))
            self.stdout.write(
                f"読込完了: {m.name} ({m.code}) 地区 {len(profile.districts)} / 機関 {len(profile.agencies)} / "
                f"役割 {len(profile.roles)} / 会議 {len(profile.meeting_types)} / 指標 {len(profile.kpis)} / "
                f"拠点 {len(profile.places)}"
            )
