"""添付ファイル: scanned 同意書, 申込票 and other papers attached to a consultation or a case.

The file lives outside the web root (TSUNAGU_ATTACHMENT_DIR, under a random name); its type is decided from its
content, never from its name; it is served only through the access policy: an attachment is of the CONTENT class
(ACCESS.md §1), and also needs ADDRESS when the person's address is hidden (a scanned form shows it) and
SENSITIVE when the uploader marks it so.
"""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel


class Attachment(TenantModel):  # 添付ファイル
    CONSULTATION, CASE = "consultation", "case"
    TARGET_CHOICES = [(CONSULTATION, "相談"), (CASE, "事例")]
    KIND_CHOICES = [("consent", "同意書"), ("application", "申込票"), ("other", "その他")]

    target_type = models.CharField("添付先", max_length=16, choices=TARGET_CHOICES)
    target_id = models.PositiveBigIntegerField("添付先の番号")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="本人")
    kind = models.CharField("種類", max_length=16, choices=KIND_CHOICES, default="other")
    title = models.CharField("ファイル名", max_length=200)
    content_type = models.CharField("形式", max_length=40)
    size = models.PositiveIntegerField("大きさ（バイト）")
    sha256 = models.CharField("SHA-256", max_length=64)
    stored_as = models.CharField("保存名", max_length=80, unique=True)
    sensitive = models.BooleanField("要配慮個人情報を含む", default=False)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="登録した機関")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登録者")
    uploaded_at = models.DateTimeField("登録日時")

    class Meta:
        verbose_name = "添付ファイル"
        verbose_name_plural = "添付ファイル"
        indexes = [models.Index(fields=["municipality", "target_type", "target_id"], name="attach_target")]
