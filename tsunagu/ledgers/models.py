"""Ledger imports (台帳の取り込み): one run per file, and one row per imported ledger row (its stable source key)."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel

KIND_CHOICES = [("persons", "本人・世帯"), ("consultations", "相談"), ("referrals", "つなぎ"),
                ("places", "拠点・居場所"), ("resources", "社会資源")]


class ImportRun(TenantModel):  # 取り込みの実行
    PENDING, RUNNING, CHECKED, DONE, FAILED = "pending", "running", "checked", "done", "failed"
    STATUS_CHOICES = [(PENDING, "待機中"), (RUNNING, "実行中"), (CHECKED, "確認済み（取り込みなし）"),
                      (DONE, "取り込み完了"), (FAILED, "エラーあり（何も取り込んでいません）")]

    kind = models.CharField("種類", max_length=20, choices=KIND_CHOICES)
    filename = models.CharField("ファイル名", max_length=200)
    dry_run = models.BooleanField("確認のみ", default=True)
    status = models.CharField("状態", max_length=10, choices=STATUS_CHOICES, default=PENDING)
    total = models.PositiveIntegerField("行数", default=0)
    done = models.PositiveIntegerField("処理済みの行", default=0)
    created = models.PositiveIntegerField("新規", default=0)
    skipped = models.PositiveIntegerField("取り込み済み", default=0)
    candidates = models.PositiveIntegerField("名寄せ候補", default=0)
    errors = models.JSONField("エラー", default=list, blank=True)  # [{row, column, message}]
    # The uploaded file, kept between the dry run and the import on the screen; emptied once imported.
    upload = models.BinaryField("ファイル", default=b"", blank=True, editable=False)
    mapping = models.JSONField("列の対応", default=dict, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField("開始", auto_now_add=True)
    claimed_at = models.DateTimeField("実行開始", null=True, blank=True)  # one request executes a started run
    finished_at = models.DateTimeField("終了", null=True, blank=True)

    class Meta:
        verbose_name = "台帳の取り込み"
        verbose_name_plural = "台帳の取り込み"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:  # no file content: the audit log shows this text
        return f"台帳の取り込み #{self.pk}（{self.get_kind_display()}）"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class ImportedRow(TenantModel):  # 取り込んだ行
    """The stable key of one imported ledger row (a hash of the kind and its identifying columns): a second
    import of the same row finds it here and changes nothing."""

    kind = models.CharField("種類", max_length=20, choices=KIND_CHOICES)
    source_key = models.CharField("元データのキー", max_length=64)
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="rows")
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = "取り込んだ行"
        verbose_name_plural = "取り込んだ行"
        constraints = [models.UniqueConstraint(fields=["municipality", "kind", "source_key"],
                                               name="ledger_row_unique")]
