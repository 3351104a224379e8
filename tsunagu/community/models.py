"""Community building (地域づくり): places and bases (拠点・居場所) and their usage figures (利用実績).

地域課題 (resource gaps) live in meetings.ResourceGap; this app shows them by district (see districts.py).
"""

from django.conf import settings
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
    schedule = models.CharField("開催日時", max_length=200, blank=True, help_text="例: 毎週水曜 10:00〜11:30")
    project = models.ForeignKey("directory.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="places", verbose_name="事業")
    # Open/closed dates bound the yearly place counts: a place counts in a fiscal year it was open in.
    opened_on = models.DateField("開設日", null=True, blank=True)
    closed_on = models.DateField("廃止日", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    active = models.BooleanField("有効", default=True)
    sort_order = models.PositiveIntegerField("並び順", default=0)
    # Set when the place is added or edited on screen: the profile load then leaves it alone (never overwrites,
    # closes or deactivates it).
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="画面で登録・編集した職員")
    edited_at = models.DateTimeField("画面で登録・編集した日時", null=True, blank=True)

    class Meta:
        verbose_name = "拠点"
        verbose_name_plural = "拠点"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="place_code_unique")]

    def __str__(self) -> str:
        return self.name


class UsageRecord(TenantModel):  # 利用実績（期間ごと）
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="usage", verbose_name="拠点")
    period_start = models.DateField("期間（開始）")
    period_end = models.DateField("期間（終了）")
    groups = models.PositiveIntegerField("団体・グループ数", default=0)
    participants = models.PositiveIntegerField("参加者数（実人数）", default=0)
    total_visits = models.PositiveIntegerField("延べ利用者数", default=0)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "利用実績"
        verbose_name_plural = "利用実績"
        ordering = ["-period_start", "-id"]
        constraints = [models.UniqueConstraint(fields=["place", "period_start", "period_end"],
                                               name="usage_period_unique")]
