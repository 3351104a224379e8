from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tsunagu.intake"
    label = "intake"
    verbose_name = "相談受付・つなぎ"

    def ready(self):
        from . import audit_labels, policy  # noqa: F401
