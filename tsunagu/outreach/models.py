"""アウトリーチ等を通じた継続的支援 (社会福祉法第106条の4第2項第4号).

A target (潜在的支援対象者) is found through an information source before any consent or case. It keeps its
own identifying fields and is *not* a people.Person until consent is obtained: the general access policy, which
grants agencies their own persons, therefore never shows a target to anyone. Targets have their own policy
(outreach.policy): outreach staff, and members of a 支援会議 while the target is on an open agenda item.
"""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel

# The information sources are the profile's (outreach.sources, Municipality.outreach_sources); the service
# checks a source against that list, so the columns carry no fixed choices.
CONTACT_KINDS = [("letter", "手紙を置く"), ("visit", "訪問"), ("family", "家族を通じて"), ("accompany", "同行支援"),
                 ("phone", "電話")]
OUTCOMES = [("no_response", "不在・反応なし"), ("sign", "手紙を受け取った形跡あり"), ("family", "家族と話せた"),
            ("met", "本人と会えた"), ("talked", "本人と話せた"), ("refused", "拒否された")]
REACHED = {"met", "talked"}
HOLDING_BASES = [
    ("agreement", "情報提供協定に基づく提供（個人情報保護法第69条第2項第3号）"),
    ("support_meeting", "支援会議での共有（社会福祉法第106条の6）"),
    ("vital", "人の生命・身体・財産の保護に必要（個人情報保護法第69条第2項第4号等）"),
    ("consultation", "本人・家族・近隣住民からの相談"),
]


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        from tsunagu.privacy.access import visible_target_q

        if not user.is_authenticated or not user.municipality_id:
            return self.none()
        return self.filter(visible_target_q(user))


class InfoAgreement(TenantModel):  # 情報提供協定
    partner = models.CharField("協定先", max_length=200)
    source = models.CharField("情報源の種類", max_length=40)
    scope = models.TextField("提供する情報の範囲", help_text="例: 2か月以上検針票が回収されない世帯の住所と状況")
    concluded_on = models.DateField("締結日")
    expires_on = models.DateField("有効期限", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "情報提供協定"
        verbose_name_plural = "情報提供協定"
        ordering = ["-concluded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partner}（{self.source}）"

    def in_force_on(self, day) -> bool:
        return self.concluded_on <= day and (self.expires_on is None or day <= self.expires_on)


class OutreachTarget(TenantModel):  # 潜在的支援対象者（アウトリーチ対象）
    GATHERING, CONTACTING, BUILDING, CONSENTED, CONNECTED, WATCHING = (
        "gathering", "contacting", "building", "consented", "connected", "watching")
    STAGE_CHOICES = [(GATHERING, "情報収集"), (CONTACTING, "接触試行"), (BUILDING, "関係構築中"),
                     (CONSENTED, "同意取得"), (CONNECTED, "つながった"), (WATCHING, "見守り継続")]
    OPEN_STAGES = [GATHERING, CONTACTING, BUILDING, WATCHING]

    name = models.CharField("氏名（わかれば）", max_length=100, blank=True)
    kana = models.CharField("フリガナ", max_length=100, blank=True)
    approx_age = models.CharField("年齢（推定可）", max_length=30, blank=True, help_text="例: 50代")
    birth_date = models.DateField("生年月日", null=True, blank=True)
    address = models.CharField("住所", max_length=300)
    phone = models.CharField("電話", max_length=40, blank=True)
    district = models.ForeignKey("directory.District", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="地区")
    household_note = models.CharField("世帯の状況", max_length=300, blank=True, help_text="例: 80代の母と二人暮らし")
    source = models.CharField("情報源", max_length=40)
    provider = models.CharField("情報提供者", max_length=200, help_text="例: 上下水道局 検針員")
    agreement = models.ForeignKey(InfoAgreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="targets", verbose_name="情報提供協定")
    noticed = models.TextField("気づいた内容")
    issue_tags = models.JSONField("課題（見立て）", default=list, blank=True)
    legal_basis = models.CharField("情報を保有する根拠", max_length=20, choices=HOLDING_BASES)
    found_on = models.DateField("把握日")
    stage = models.CharField("段階", max_length=12, choices=STAGE_CHOICES, default=GATHERING)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="担当")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="把握した職員")
    # Set when consent is obtained: the person and consultation intake received (nothing retyped).
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="outreach_targets", verbose_name="本人")
    consultation = models.ForeignKey("intake.Consultation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="outreach_targets", verbose_name="相談")
    stage_note = models.TextField("段階の記録", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = "アウトリーチ対象者"
        verbose_name_plural = "アウトリーチ対象者"
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["municipality", "stage"])]

    def __str__(self) -> str:
        return f"アウトリーチ #{self.pk}"

    @property
    def label(self) -> str:
        """The name, or a label that locates nobody (the address is not ID: ACCESS.md §1)."""
        return self.name or f"氏名不明の方（アウトリーチ #{self.pk}）"

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES


class ContactAttempt(TenantModel):  # 接触の試み
    target = models.ForeignKey(OutreachTarget, on_delete=models.CASCADE, related_name="attempts")
    kind = models.CharField("方法", max_length=12, choices=CONTACT_KINDS)
    attempted_on = models.DateField("実施日")
    outcome = models.CharField("結果", max_length=12, choices=OUTCOMES)
    note = models.TextField("記録", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="記録者")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "接触の試み"
        verbose_name_plural = "接触の試み"
        ordering = ["attempted_on", "id"]

    @property
    def reached(self) -> bool:
        return self.outcome in REACHED


class TargetAgendaItem(TenantModel):  # 支援会議の議題となったアウトリーチ対象者
    """Links a target to a 支援会議 agenda item (法106条の6). While the item is open, the meeting's members who
    recorded their duty of confidentiality see the target."""

    target = models.ForeignKey(OutreachTarget, on_delete=models.PROTECT, related_name="agenda_links")
    item = models.OneToOneField("meetings.AgendaItem", on_delete=models.CASCADE, related_name="outreach_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "支援会議の議題（アウトリーチ）"
        verbose_name_plural = "支援会議の議題（アウトリーチ）"
