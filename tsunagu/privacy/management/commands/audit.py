from django.core.management.base import BaseCommand, CommandError

from tsunagu.privacy import chain


class Command(BaseCommand):
    help = ("監査ログ: verify = 改ざん検査（鍵とチェックポイントで照合）、"
            "checkpoint = 署名つきチェックポイントをデータベースの外に書く（cron で定期実行）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, **options):
        try:
            if options["action"] == "checkpoint":
                self._checkpoint()
            else:
                self._verify()
        except chain.AuditKeyMissing as exc:
            raise CommandError(str(exc)) from exc

    def _verify(self):
        count, problems = chain.verify()
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"監査ログの検証に失敗しました（{count} 件を検査、問題 {len(problems)} 件）。"
                               f"最初の問題: {problems[0]}")
        checkpoints, _ = chain.read_checkpoints()
        anchored = f"、チェックポイント {len(checkpoints)} 件と一致" if checkpoints else "（チェックポイントはまだありません）"
        self.stdout.write(f"監査ログ {count} 件を検証しました{anchored}。改ざんはありません。")

    def _checkpoint(self):
        try:
            cp = chain.write_checkpoint()
        except chain.ChainBroken as exc:
            for p in exc.problems:
                self.stderr.write(p)
            raise CommandError(f"監査ログに問題があるため、チェックポイントを書きません。最初の問題: {exc.problems[0]}"
                               ) from exc
        self.stdout.write(f"チェックポイントを書きました: {cp.count} 件、最新 #{cp.last_id or '-'} → "
                          f"{chain.checkpoint_file()}")
