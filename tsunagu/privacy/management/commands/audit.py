from django.core.management.base import BaseCommand, CommandError

from tsunagu.privacy.audit import verify_chain


class Command(BaseCommand):
    help = "監査ログの改ざん検査 (verify)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        count, problems = verify_chain()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"監査ログ {count} 件中 {len(problems)} 件の問題があります")
        self.stdout.write(f"監査ログ {count} 件を検証しました。改ざんはありません。")
