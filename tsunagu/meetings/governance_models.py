"""Governance (SPEC §2 step 10): topics of city-wide meetings (全体会議, 連絡会議, 相談支援包括化推進会議 and its
部会), the difficult-case list (事例・対応方法のリスト — no personal data), the yearly staff roster (業務担当名簿)
shared with agencies, and training records. City-wide meetings themselves are meetings.Meeting of a meeting
type whose consent_rule is "none" (they never handle personal data)."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel


class MeetingTopic(TenantModel):  # 全体会議等の議題（個人情報を含まない）
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="topics")
    section = models.CharField("部会", max_length=100, blank=True, help_text="例: 体制検討の部／連携強化の部")
    title = models.CharField("議題", max_length=200)
    note = models.TextField("内容・結論", blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "議題（全体会議等）"
        verbose_name_plural = "議題（全体会議等）"
        ordering = ["id"]


class DifficultCase(TenantModel):  # 事例・対応方法のリスト（個人情報なし）
    fiscal_year = models.PositiveIntegerField("年度")
    title = models.CharField("事例の概要", max_length=200)
    issues = models.JSONField("課題", default=list, blank=True)
    response = models.TextField("対応方法")
    lessons = models.TextField("今後に生かすこと", blank=True)
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name="検討した会議")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "困難事例"
        verbose_name_plural = "困難事例"
        ordering = ["-fiscal_year", "-id"]


class RosterEntry(TenantModel):  # 業務担当名簿（年度ごと）
    fiscal_year = models.PositiveIntegerField("年度")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="機関・課")
    duty = models.CharField("担当業務", max_length=200, help_text="例: 高齢分野の相談調整")
    staff_name = models.CharField("担当者", max_length=100)
    phone = models.CharField("電話", max_length=40, blank=True)
    note = models.CharField("備考", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "業務担当名簿"
        verbose_name_plural = "業務担当名簿"
        ordering = ["-fiscal_year", "agency__sort_order", "id"]


class Training(TenantModel):  # 研修記録
    held_on = models.DateField("実施日")
    title = models.CharField("研修名", max_length=200)
    organiser = models.CharField("主催", max_length=200)
    audience = models.CharField("対象", max_length=200, blank=True)
    participants = models.PositiveIntegerField("参加者数", default=0)
    note = models.TextField("内容", blank=True)
    # For a prefecture's training (研修): which member municipalities took part.
    members = models.ManyToManyField("directory.PrefectureMember", blank=True, related_name="+",
                                     verbose_name="参加した市町村")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "研修"
        verbose_name_plural = "研修"
        ordering = ["-held_on", "-id"]
