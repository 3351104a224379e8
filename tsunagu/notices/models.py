"""お知らせ (in-app notifications): what waits for a staff member — a referral received or returned, a plan sent
back, a meeting to attend, a review or follow-up coming due, emergency access to the agency's records.

A notice never names a person: it says what happened, to which record number, and links to the page, where the
access policy decides what the reader sees (the link is no grant).
"""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel


class Notice(TenantModel):  # お知らせ
    REFERRAL_RECEIVED, REFERRAL_RETURNED = "referral_received", "referral_returned"
    PLAN_SENT_BACK, MEETING_MEMBER = "plan_sent_back", "meeting_member"
    REVIEW_DUE, FOLLOW_UP_DUE, EMERGENCY_ACCESS = "review_due", "follow_up_due", "emergency_access"
    KIND_CHOICES = [(REFERRAL_RECEIVED, "つなぎの受信"), (REFERRAL_RETURNED, "つなぎの差し戻し"),
                    (PLAN_SENT_BACK, "プランの差し戻し"), (MEETING_MEMBER, "会議の予定"),
                    (REVIEW_DUE, "プランの見直し日"), (FOLLOW_UP_DUE, "フォローアップの予定"),
                    (EMERGENCY_ACCESS, "緊急時の閲覧")]

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices",
                                  verbose_name="宛先")
    kind = models.CharField("種類", max_length=24, choices=KIND_CHOICES)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("リンク", max_length=200, blank=True)
    created_at = models.DateTimeField("日時")
    read_at = models.DateTimeField("既読", null=True, blank=True)
    key = models.CharField("重複防止キー", max_length=100, blank=True,
                           help_text="日次の予定のお知らせを一度だけ作るためのキー（空なら毎回作る）")

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread"),
                   models.Index(fields=["recipient", "-created_at"], name="notice_recent")]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], condition=~models.Q(key=""),
                                               name="notice_once_per_key")]
