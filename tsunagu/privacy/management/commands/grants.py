from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsunagu.core.models import Municipality
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action


class Command(BaseCommand):
    help = ("閲覧の根拠（アクセス表の付与）を記録から作り直す。--check は変更せずに、記録と一致しているかだけを調べる"
            "（一致しなければ終了コード 1）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--municipality", help="団体コード（省略時はすべての自治体）")
        parser.add_argument("--check", action="store_true", help="変更せずに検査だけする")

    def handle(self, *args, **options):
        municipalities = Municipality.objects.all()
        if options["municipality"]:
            municipalities = municipalities.filter(code=options["municipality"])
            if not municipalities.exists():
                raise CommandError(f"団体コード {options['municipality']} の自治体がありません")
        drift = 0
        for m in municipalities:
            def progress(subject, done, total, m=m):
                self.stdout.write(f"\r{m.name}: {'本人' if subject == 'person' else 'アウトリーチ対象者'} {done}/{total}",
                                  ending="")
                self.stdout.flush()

            with transaction.atomic():
                result = access.rebuild(m.pk, write=not options["check"], progress=progress)
                if not options["check"]:
                    log_action("grants.rebuilt", municipality=m, actor_label="(コマンド)",
                               detail={k: list(v) for k, v in result.items()})
            self.stdout.write("")
            for subject, (created, ended) in result.items():
                label = "本人" if subject == "person" else "アウトリーチ対象者"
                verb = "不足" if options["check"] else "作成"
                verb2 = "余分" if options["check"] else "終了"
                self.stdout.write(f"{m.name} {label}: {verb} {created} 件・{verb2} {ended} 件")
                drift += created + ended
        if options["check"] and drift:
            raise CommandError(f"閲覧の根拠が記録と {drift} 件一致しません。`tsunagu grants rebuild` で作り直してください")
        if options["check"]:
            self.stdout.write("閲覧の根拠はすべて記録と一致しています。")
