from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "tsunagu.community"
    label = "community"
    verbose_name = "地域づくり"

    def ready(self):
        from . import audit_labels  # noqa: F401
