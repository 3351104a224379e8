"""Consultations (相談受付) and referrals (つなぎ)."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.directory.models import Agency
from tsunagu.people.models import Household, Person

from .vocab import TRIAGE_CHOICES, URGENCIES


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Consultations of which the user sees at least the ID class (intake.policy)."""
        from .policy import visible_consultation_q

        if not user.is_authenticated or not user.municipality_id:
            return self.none()
        return self.filter(visible_consultation_q(user))


class Consultation(TenantModel):  # 相談受付・申込票
    STATUS_CHOICES = [
        ("open", "対応中"), ("referred", "つなぎ中"), ("multiagency", "多機関協働"), ("closed", "終了"),
    ]

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="consultations",
                               verbose_name="受付機関")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="受付者")
    received_at = models.DateTimeField("受付日時")
    channel = models.CharField("相談経路", max_length=20)
    consulter_type = models.CharField("相談者", max_length=20)
    consulter_name = models.CharField("相談者の氏名・機関名", max_length=100, blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consultations",
                               verbose_name="本人")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="consultations", verbose_name="世帯")
    chief_complaint = models.TextField("主訴")  # the summary: ID class when referred (ACCESS.md §1)
    detail = models.TextField("相談の内容（詳細）", blank=True)  # the full text: CONTENT
    issue_tags = models.JSONField("課題", default=list, blank=True)
    urgency = models.CharField("緊急度", max_length=10, choices=URGENCIES, default="normal")
    with_consent = models.BooleanField("本人同意", default=False,
                                       help_text="申込票の版: 本人同意あり／本人同意なし")
    sensitive_categories = models.JSONField("要配慮個人情報の種類", default=list, blank=True)
    sensitive_notes = models.TextField("要配慮個人情報の内容", blank=True)
    triage = models.CharField("対応方針", max_length=20, choices=TRIAGE_CHOICES, blank=True)
    status = models.CharField("状態", max_length=20, choices=STATUS_CHOICES, default="open")
    next_step = models.TextField("次の一歩（終了時）", blank=True)
    closed_at = models.DateTimeField("終了日時", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    # The receiving agency's own record of a referral it accepted (intake.services.take_on_referral): linked to the
    # referral; the person record stays the one referred, seen through the referral's grant (ACCESS.md inv. 1).
    source_referral = models.OneToOneField("Referral", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="taken_on", verbose_name="受理したつなぎ")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = "相談"
        verbose_name_plural = "相談"
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["municipality", "agency", "-received_at"])]

    def __str__(self) -> str:
        return f"相談 #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


class Referral(TenantModel):  # つなぎ
    SENT, ACCEPTED, RETURNED = "sent", "accepted", "returned"
    STATUS_CHOICES = [(SENT, "送付済み（回答待ち）"), (ACCEPTED, "受理"), (RETURNED, "差し戻し")]
    BASIS_CONSENT, BASIS_STATUTORY = "consent", "statutory"
    BASIS_CHOICES = [(BASIS_CONSENT, "本人同意"), (BASIS_STATUTORY, "法令上の根拠")]

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="referrals",
                                     verbose_name="相談")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals", verbose_name="本人")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_sent",
                                    verbose_name="つなぎ元")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_received",
                                  verbose_name="つなぎ先")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField("送付日時")
    PURPOSE_CHOICES = [("referral", "他機関へのつなぎ"), ("multiagency", "多機関協働への引継ぎ")]
    purpose = models.CharField("目的", max_length=12, choices=PURPOSE_CHOICES, default="referral")
    message = models.TextField("依頼内容", blank=True)
    status = models.CharField("状態", max_length=10, choices=STATUS_CHOICES, default=SENT)
    basis = models.CharField("共有の根拠", max_length=10, choices=BASIS_CHOICES)
    consent = models.ForeignKey("privacy.Consent", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="referrals", verbose_name="同意")
    statutory_basis = models.CharField("法令上の根拠", max_length=40, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    responded_at = models.DateTimeField("回答日時", null=True, blank=True)
    response_note = models.TextField("受理メモ", blank=True)
    return_reason = models.TextField("差し戻しの理由", blank=True)
    suggested_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="提案するつなぎ先")
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="resends", verbose_name="差し戻し後の再送元")

    class Meta:
        verbose_name = "つなぎ"
        verbose_name_plural = "つなぎ"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["municipality", "to_agency", "status"]),
                   models.Index(fields=["municipality", "from_agency", "status"])]

    def __str__(self) -> str:
        return f"つなぎ #{self.pk}（{self.from_agency} → {self.to_agency}）"


class ConsultationNote(TenantModel):  # 支援経過記録（相談）
    KIND_CHOICES = [("visit", "訪問"), ("office", "来所"), ("phone", "電話"), ("meeting", "会議・調整"),
                    ("accompany", "同行"), ("other", "その他")]

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="notes",
                                     verbose_name="相談")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="記録機関")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="記録者")
    occurred_at = models.DateTimeField("日時")
    kind = models.CharField("種類", max_length=10, choices=KIND_CHOICES)
    text = models.TextField("内容")  # CONTENT of the consultation
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "支援経過記録"
        verbose_name_plural = "支援経過記録"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"経過 #{self.pk}"
