"""The audit log (監査ログ): one append-only, hash-chained table of events (R7)."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import Municipality, TenantModel

from .actions import label_for


class AuditEvent(models.Model):  # 監査ログ
    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="自治体")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="操作者")
    actor_label = models.CharField("操作者（記録時）", max_length=200, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("対象種別", max_length=64, blank=True)
    object_id = models.CharField("対象ID", max_length=64, blank=True)
    object_repr = models.CharField("対象", max_length=300, blank=True)
    reason = models.CharField("理由", max_length=300, blank=True)
    detail = models.JSONField("詳細", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IPアドレス", null=True, blank=True)
    created_at = models.DateTimeField("日時", db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-id"]
        indexes = [models.Index(fields=["municipality", "-id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.label}"

    @property
    def label(self) -> str:
        return label_for(self.action)

    def payload(self) -> str:
        from .chain import payload

        return payload(self)

    def compute_hash(self) -> str:
        from .chain import compute_hash

        return compute_hash(self)


class AuditChainHead(models.Model):
    """One row, locked while appending, so concurrent writers cannot fork the chain."""

    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.last_hash


# Statutory bases for sharing without consent (R1). Keys are stored; labels are shown.
STATUTORY_BASES = {
    "law": "法令に基づく場合（個人情報保護法第69条第1項・第27条第1項第1号）",
    "vital": "人の生命・身体・財産の保護に必要で、本人の同意を得ることが困難（同法第27条第1項第2号等）",
    "public": "他の行政機関等が法令の定める事務に必要な限度で使用し、相当の理由がある（同法第69条第2項第3号）",
    "benefit": "本人以外の者に提供することが明らかに本人の利益になる（同法第69条第2項第4号）",
    "child": "児童虐待の通告・情報提供（児童虐待防止法第6条・第13条の4）",
}


class Consent(TenantModel):  # 本人同意
    METHOD_CHOICES = [("書面", "書面"), ("口頭", "口頭")]
    PURPOSES = ["関係機関へのつなぎ", "多機関協働", "重層的支援会議", "参加支援", "アウトリーチ"]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="consents",
                               verbose_name="本人")
    consultation = models.ForeignKey("intake.Consultation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="consents", verbose_name="相談")
    recording_agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                                         verbose_name="記録した機関")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="記録者")
    scope_all_agencies = models.BooleanField("市内の関係機関すべて", default=False)
    scope_agencies = models.ManyToManyField("directory.Agency", blank=True, related_name="+",
                                            verbose_name="共有してよい機関")
    purposes = models.JSONField("目的", default=list, blank=True)
    method = models.CharField("同意の方法", max_length=4, choices=METHOD_CHOICES)
    obtained_on = models.DateField("同意日")
    note = models.TextField("備考", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField("撤回日時", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    withdrawal_note = models.TextField("撤回の記録", blank=True)

    class Meta:
        verbose_name = "本人同意"
        verbose_name_plural = "本人同意"
        ordering = ["-obtained_on", "-id"]

    def __str__(self) -> str:
        from tsunagu.core.wareki import format_wareki

        return f"同意 #{self.pk}（{self.method}・{format_wareki(self.obtained_on)}）"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    def covers(self, agency) -> bool:
        if not self.is_active:
            return False
        return self.scope_all_agencies or self.scope_agencies.filter(pk=agency.pk).exists()

    def scope_label(self) -> str:
        if self.scope_all_agencies:
            return "市内の関係機関すべて"
        return "、".join(a.name for a in self.scope_agencies.all()) or "（機関の指定なし）"


class Disclosure(TenantModel):  # 情報提供の記録 (R1)
    BASIS_CHOICES = [("consent", "本人同意"), ("support_meeting", "法106条の6 支援会議"), ("statutory", "法令上の根拠")]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="disclosures",
                               verbose_name="本人")
    consultation = models.ForeignKey("intake.Consultation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="disclosures")
    referral = models.ForeignKey("intake.Referral", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="disclosures")
    from_agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="提供元")
    to_agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="提供先")
    basis = models.CharField("根拠", max_length=20, choices=BASIS_CHOICES)
    consent = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures")
    statutory_basis = models.CharField("法令上の根拠", max_length=40, blank=True)
    items = models.JSONField("提供した項目", default=list)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField("提供日時")

    class Meta:
        verbose_name = "情報提供の記録"
        verbose_name_plural = "情報提供の記録"
        ordering = ["-disclosed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_agency} → {self.to_agency}（{self.get_basis_display()}）"

    @property
    def basis_label(self) -> str:
        if self.basis == "statutory":
            return STATUTORY_BASES.get(self.statutory_basis, self.statutory_basis)
        return self.get_basis_display()
