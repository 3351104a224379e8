"""`tsunagu notices daily`: the day's reminders (reviews and follow-ups coming due) and the optional e-mail digest."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tsunagu.core.models import Municipality
from tsunagu.notices import services


class Command(BaseCommand):
    help = "お知らせの日次処理: 見直し日・見守りの予定が近い事例のお知らせを作り、希望すれば未読件数をメールで送ります"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["daily"], help="daily: 日次処理（cron で1日1回）")
        parser.add_argument("--municipality", help="団体コード（省略するとすべての市町村）")
        parser.add_argument("--mail", action="store_true",
                            help="未読のお知らせがある職員に件数とリンクだけのメールを送る（Django のメール設定を使います）")

    def handle(self, *args, action: str, municipality: str | None = None, mail: bool = False, **options):
        qs = Municipality.objects.filter(kind="municipality")
        if municipality:
            qs = qs.filter(code=municipality)
            if not qs.exists():
                raise CommandError(f"団体コード '{municipality}' の市町村がありません")
        for m in qs.order_by("code"):
            made = services.create_due_notices(m)
            line = f"{m.name}: 予定のお知らせ {made} 件"
            if mail:
                sent = services.send_digests(m, base_url=getattr(settings, "TSUNAGU_BASE_URL", ""))
                line += f"・メール {sent} 通"
            self.stdout.write(line)
