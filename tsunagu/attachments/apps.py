from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "tsunagu.attachments"
    label = "attachments"
    verbose_name = "添付ファイル"

    def ready(self):
        from tsunagu.privacy.actions import register

        register({"attachment.added": "添付ファイルの追加", "attachment.downloaded": "添付ファイルのダウンロード"})
