"""参加支援 (社会福祉法第106条の4第2項第2号): the social-resource catalog, a needs sheet per person, placements
(提案 → 見学 → 参加開始 → 定着 / 中断) with 定着支援 follow-ups, and support for the host (受け入れ先支援)."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel

RESOURCE_KINDS = ["居場所", "就労体験", "中間的就労", "農福連携", "ボランティア", "学び", "その他"]
NEEDS = ["居場所", "ひきこもり", "孤立", "就労準備", "就労", "生活リズム", "人との交流", "学び直し", "地域活動",
         "障がい", "生活困窮", "子育て", "高齢"]
WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"]
ACCESS = ["車いす可", "送迎あり", "公共交通で通える", "少人数", "予約不要", "個別対応可"]


class Resource(TenantModel):  # 社会資源（参加支援のメニュー）
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("種類", max_length=20, choices=[(k, k) for k in RESOURCE_KINDS])
    host = models.CharField("受け入れ先（運営団体）", max_length=200)
    contact = models.CharField("連絡先", max_length=200, blank=True)
    place = models.ForeignKey("community.Place", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="resources", verbose_name="拠点")
    district = models.ForeignKey("directory.District", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="地区")
    address = models.CharField("場所", max_length=300, blank=True)
    schedule = models.CharField("日時", max_length=200, blank=True, help_text="例: 毎週火・木 13:00〜16:00")
    days = models.JSONField("曜日", default=list, blank=True)
    capacity = models.PositiveIntegerField("定員", null=True, blank=True)
    conditions = models.TextField("参加の条件", blank=True)
    accessibility = models.JSONField("配慮・アクセス", default=list, blank=True)
    cost = models.PositiveIntegerField("費用（円／回）", default=0)
    needs = models.JSONField("対応するニーズ", default=list, blank=True)
    description = models.TextField("内容", blank=True)
    active = models.BooleanField("受け入れ中", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "社会資源"
        verbose_name_plural = "社会資源"
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class NeedsSheet(TenantModel):  # 参加支援のニーズシート
    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="needs_sheet",
                                  verbose_name="本人")
    needs = models.JSONField("ニーズ", default=list)
    wishes = models.TextField("本人の希望", blank=True)
    strengths = models.TextField("得意なこと・関心", blank=True)
    district = models.ForeignKey("directory.District", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="活動したい地区")
    available_days = models.JSONField("参加できる曜日", default=list, blank=True)
    max_cost = models.PositiveIntegerField("費用の上限（円／回）", null=True, blank=True)
    access_needs = models.JSONField("必要な配慮", default=list, blank=True)
    notes = models.TextField("備考", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ニーズシート"
        verbose_name_plural = "ニーズシート"


class Placement(TenantModel):  # 参加支援（マッチング・参加）
    PROPOSED, VISITED, STARTED, SETTLED, INTERRUPTED = "proposed", "visited", "started", "settled", "interrupted"
    STATUS_CHOICES = [(PROPOSED, "提案"), (VISITED, "見学"), (STARTED, "参加開始"), (SETTLED, "定着"),
                      (INTERRUPTED, "中断")]
    OPEN_STATUSES = [PROPOSED, VISITED, STARTED]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="placements",
                               verbose_name="本人")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="placements",
                                 verbose_name="社会資源")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="担当機関")
    status = models.CharField("状態", max_length=12, choices=STATUS_CHOICES, default=PROPOSED)
    match_reasons = models.TextField("提案の理由", blank=True)
    proposed_on = models.DateField("提案日")
    visited_on = models.DateField("見学日", null=True, blank=True)
    started_on = models.DateField("参加開始日", null=True, blank=True)
    ended_on = models.DateField("定着・中断の日", null=True, blank=True)
    end_reason = models.TextField("中断の理由・定着の状況", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "参加支援"
        verbose_name_plural = "参加支援"
        ordering = ["-proposed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.resource}（{self.get_status_display()}）"


class CheckIn(TenantModel):  # 定着支援のフォローアップ
    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="checkins")
    due_on = models.DateField("予定日")
    done_on = models.DateField("実施日", null=True, blank=True)
    note = models.TextField("本人の様子", blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        verbose_name = "定着支援"
        verbose_name_plural = "定着支援"
        ordering = ["due_on", "id"]


class HostSupport(TenantModel):  # 受け入れ先支援
    KIND_CHOICES = [("advice", "相談・助言"), ("visit", "訪問"), ("coordination", "調整"), ("training", "研修・説明")]

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="host_supports",
                                 verbose_name="受け入れ先")
    placement = models.ForeignKey(Placement, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="host_supports", verbose_name="関係する参加支援")
    occurred_on = models.DateField("実施日")
    kind = models.CharField("種類", max_length=16, choices=KIND_CHOICES)
    concern = models.TextField("受け入れ先の懸念・相談")
    response = models.TextField("対応", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "受け入れ先支援"
        verbose_name_plural = "受け入れ先支援"
        ordering = ["-occurred_on", "-id"]
