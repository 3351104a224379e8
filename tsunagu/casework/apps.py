from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "tsunagu.casework"
    label = "casework"
    verbose_name = "多機関協働"

    def ready(self):
        from . import audit_labels, policy  # noqa: F401
