from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "tsunagu.notices"
    label = "notices"
    verbose_name = "お知らせ"

    def ready(self):
        from . import audit_labels  # noqa: F401
