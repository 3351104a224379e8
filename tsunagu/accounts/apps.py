from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tsunagu.accounts"
    label = "accounts"
    verbose_name = "アカウント・ログイン"

    def ready(self):
        from . import audit_labels, checks, signals  # noqa: F401
