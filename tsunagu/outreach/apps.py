from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "tsunagu.outreach"
    label = "outreach"
    verbose_name = "アウトリーチ"

    def ready(self):
        from . import audit_labels, policy  # noqa: F401
