from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "tsunagu.identity"
    label = "identity"
    verbose_name = "名寄せ"

    def ready(self):
        from . import audit_labels, signals  # noqa: F401
