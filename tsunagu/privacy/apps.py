from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tsunagu.privacy"
    label = "privacy"
    verbose_name = "個人情報保護・監査"

    def ready(self):
        from . import services, signals  # noqa: F401  (services registers the emergency-access source)
