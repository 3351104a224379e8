from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "tsunagu.ledgers"
    label = "ledgers"
    verbose_name = "台帳の取り込み"

    def ready(self):
        from . import audit_labels  # noqa: F401
