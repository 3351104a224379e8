from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.demo import DEMO_PASSWORD, load_demo
from tsunagu.directory.profile_validation import ProfileInvalid


class Command(BaseCommand):
    help = "デモデータ（射水市のプロファイルとデモ利用者）を投入します。何度実行しても同じ結果になります。"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=300, help="作成する世帯（相談）の数（既定 300）")

    def handle(self, *args, **options):
        try:
            users = load_demo(households=options["households"])
        except ProfileInvalid as exc:
            raise CommandError(f"プロファイルに問題があります:\n{exc}") from exc
        self.stdout.write(f"\nデモ利用者（パスワードはすべて {DEMO_PASSWORD}）:")
        for u, staff in users:
            roles = "・".join(staff.roles.values_list("name", flat=True)) or "—"
            agency = staff.agency.name if staff.agency else "—"
            m = staff.municipality.name if staff.municipality else "—"
            self.stdout.write(f"  {u.username:<18} {m} / {agency} / {roles}")
