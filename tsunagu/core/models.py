"""Tenancy: the municipality (市町村) or prefecture (都道府県) that owns every row."""

from django.db import models


class Municipality(models.Model):  # 自治体
    KIND_CHOICES = [("municipality", "市町村"), ("prefecture", "都道府県")]

    code = models.CharField("団体コード", max_length=6, unique=True)
    name = models.CharField("自治体名", max_length=64)
    kind = models.CharField("種別", max_length=16, choices=KIND_CHOICES, default="municipality")
    prefecture_name = models.CharField("都道府県", max_length=16)
    program_name = models.CharField("事業名（愛称）", max_length=200)
    program_formal = models.CharField("事業名（正式）", max_length=200)
    department = models.CharField("所管課", max_length=100, blank=True)
    issue_tags = models.JSONField("追加の課題タグ", default=list, blank=True)
    profile = models.JSONField("プロファイル", default=dict, blank=True)
    profile_loaded_at = models.DateTimeField("プロファイル読込日時", null=True, blank=True)

    class Meta:
        verbose_name = "自治体"
        verbose_name_plural = "自治体"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_prefecture(self) -> bool:
        return self.kind == "prefecture"

    @property
    def plan(self) -> dict:
        """実施計画 of the loaded profile: title, from_year, to_year, review_body / review_label, review_cadence."""
        return (self.profile or {}).get("plan") or {}

    @property
    def outreach_sources(self) -> list[str]:
        from tsunagu.directory.profile_schema import DEFAULT_OUTREACH_SOURCES

        return list(((self.profile or {}).get("outreach") or {}).get("sources") or DEFAULT_OUTREACH_SOURCES)


class TenantQuerySet(models.QuerySet):
    def for_municipality(self, municipality):
        if municipality is None:
            return self.none()
        return self.filter(municipality=municipality)


class TenantModel(models.Model):
    """Base of every municipality-owned row (rule 3 of ARCHITECTURE.md)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name="自治体",
                                     related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class SubmittedForm(models.Model):  # 送信済みフォーム（二重送信の防止）
    """One row per form token that led to a saved record: a second submit of the same form (double click,
    reload, two tabs) is answered with the first result instead of creating the record again."""

    token = models.UUIDField(unique=True)
    staff = models.ForeignKey("directory.Staff", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "送信済みフォーム"
        verbose_name_plural = "送信済みフォーム"

    def __str__(self) -> str:
        return str(self.token)
