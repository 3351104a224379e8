from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tsunagu.meetings"
    label = "meetings"
    verbose_name = "会議"

    def ready(self):
        from . import audit_labels, policy  # noqa: F401
