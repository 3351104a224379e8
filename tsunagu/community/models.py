"""Community building (地域づくり): places and bases (拠点・居場所)."""

from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.directory.models import District


class Place(TenantModel):  # 拠点・居場所
    code = models.CharField("コード", max_length=64)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("種類", max_length=100)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="地区")
    operator = models.CharField("運営主体", max_length=200, blank=True)
    address = models.CharField("所在地", max_length=300, blank=True)
    phone = models.CharField("電話", max_length=40, blank=True)
    audience = models.CharField("対象", max_length=200, blank=True)
    note = models.TextField("備考", blank=True)
    active = models.BooleanField("有効", default=True)
    sort_order = models.PositiveIntegerField("並び順", default=0)

    class Meta:
        verbose_name = "拠点"
        verbose_name_plural = "拠点"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="place_code_unique")]

    def __str__(self) -> str:
        return self.name
