from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "tsunagu.participation"
    label = "participation"
    verbose_name = "参加支援"

    def ready(self):
        from . import audit_labels, policy  # noqa: F401
