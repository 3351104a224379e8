"""Meetings: 重層的支援会議 (consent), 支援会議 (法106条の6, confidentiality duty), sector meetings under their own
statute (地域ケア会議, 要保護児童対策地域協議会 …), merged meetings where the legal basis is set per agenda item,
their members, agendas, minutes and decisions."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.directory.models import Agency, MeetingType
from tsunagu.directory.statutes import CONSENT_BASIS_LABEL, STATUTES, SUPPORT_MEETING, statute
from tsunagu.people.models import Person


class Meeting(TenantModel):  # 会議
    SCHEDULED, HELD = "scheduled", "held"
    STATUS_CHOICES = [(SCHEDULED, "開催予定"), (HELD, "開催済み")]

    meeting_type = models.ForeignKey(MeetingType, on_delete=models.PROTECT, related_name="meetings",
                                     verbose_name="会議の種類")
    title = models.CharField("会議名", max_length=200)
    scheduled_at = models.DateTimeField("開催日時")
    place = models.CharField("場所", max_length=200, blank=True)
    status = models.CharField("状態", max_length=10, choices=STATUS_CHOICES, default=SCHEDULED)
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="招集者")
    minutes = models.TextField("議事録", blank=True)
    # 開催の記録 (meetings.services.record_held): the only way from 開催予定 to 開催済み.
    held_at = models.DateTimeField("開催日時（実績）", null=True, blank=True)
    held_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name="開催を記録した職員")
    held_recorded_at = models.DateTimeField("開催の記録日時", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会議"
        verbose_name_plural = "会議"
        ordering = ["-scheduled_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_shien_kaigi(self) -> bool:
        return self.meeting_type.is_support_meeting

    @property
    def per_item_basis(self) -> bool:
        return self.meeting_type.consent_rule == "per_item"

    @property
    def item_basis_choices(self) -> list[tuple[str, str]]:
        """The bases its case items may rest on (the agenda form of a per-item meeting offers these only)."""
        return item_basis_choices(self.meeting_type)


class MeetingMember(TenantModel):  # 会議の構成員
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="meeting_memberships", verbose_name="職員")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="所属機関")
    label = models.CharField("構成員", max_length=200, help_text="例: 民生委員（○○地区）")
    # 法106条の6第5項: 支援会議の構成員には守秘義務（違反には罰則）。参加前に確認を記録する。
    confidentiality_acknowledged_at = models.DateTimeField("守秘義務の確認日時", null=True, blank=True)
    acknowledged_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                 on_delete=models.SET_NULL, related_name="+")
    attended = models.BooleanField("出席", null=True, blank=True, help_text="未記録は空（開催の記録で決まる）")

    class Meta:
        verbose_name = "構成員"
        verbose_name_plural = "構成員"
        constraints = [models.UniqueConstraint(fields=["meeting", "staff"], name="meeting_member_unique",
                                               condition=models.Q(staff__isnull=False))]

    def __str__(self) -> str:
        return self.label


class AgendaItem(TenantModel):  # 議題
    PLAN_REVIEW, CLOSURE_EVALUATION, INFO_SHARING, RESOURCES = "plan", "evaluation", "sharing", "resources"
    PURPOSE_CHOICES = [(PLAN_REVIEW, "プランの適切性の協議"), (CLOSURE_EVALUATION, "終結時等の評価"),
                       (INFO_SHARING, "情報共有・支援の検討"), (RESOURCES, "社会資源の検討")]
    # The legal basis of each item (R2). A sector meeting's item (地域ケア会議, 要保護児童対策地域協議会 …) rests on
    # its own statute, stored in `statute`; its members' duty comes from that statute as for 法106条の6.
    BASIS_CONSENT, BASIS_SUPPORT_MEETING, BASIS_SECTOR_MEETING = "consent", "support_meeting", "sector_meeting"
    BASIS_CHOICES = [(BASIS_CONSENT, CONSENT_BASIS_LABEL),
                     (BASIS_SUPPORT_MEETING, STATUTES[SUPPORT_MEETING].item_basis_label),
                     (BASIS_SECTOR_MEETING, "分野の法律に基づく会議（構成員に守秘義務）")]
    APPROVED, SENT_BACK, NOTED = "approved", "sent_back", "noted"
    DECISION_CHOICES = [(APPROVED, "承認"), (SENT_BACK, "差し戻し"), (NOTED, "協議・共有済み")]

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    purpose = models.CharField("目的", max_length=12, choices=PURPOSE_CHOICES)
    legal_basis = models.CharField("法的根拠", max_length=16, choices=BASIS_CHOICES, blank=True)
    statute = models.CharField("根拠法令", max_length=64, blank=True,
                               help_text="法令の表のキー（社会福祉法第106条の6・介護保険法第115条の48 …）")
    case = models.ForeignKey("casework.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="agenda_items")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items",
                               verbose_name="対象者")
    plan = models.ForeignKey("casework.SupportPlan", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="agenda_items")
    evaluation = models.ForeignKey("casework.Evaluation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="agenda_items")
    consent = models.ForeignKey("privacy.Consent", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="agenda_items")
    summary = models.TextField("資料（要旨）", blank=True)
    decision = models.CharField("決定", max_length=10, choices=DECISION_CHOICES, blank=True)
    decision_note = models.TextField("協議の内容・意見", blank=True)
    minutes = models.TextField("議事録（この議題）", blank=True)
    decided_at = models.DateTimeField("決定日時", null=True, blank=True)
    closed_at = models.DateTimeField("共有終了日時", null=True, blank=True,
                                     help_text="支援会議での共有を終えた日時（同意取得後に重層的支援会議へ移行した等）")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "議題"
        verbose_name_plural = "議題"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}（{self.meeting}）"

    @property
    def basis_label(self) -> str:
        """The basis as users read it: 本人同意, or the statute of the meeting with its name in the law."""
        law = statute(self.statute)
        if self.legal_basis != self.BASIS_CONSENT and law:
            return law.item_basis_label
        return self.get_legal_basis_display()

    @property
    def rests_on_statute(self) -> bool:
        """Shared without consent, among members bound by a statutory duty (106条の6 or a sector law)."""
        return self.legal_basis in (self.BASIS_SUPPORT_MEETING, self.BASIS_SECTOR_MEETING)


def item_basis_choices(meeting_type) -> list[tuple[str, str]]:
    """The bases an item of this meeting may rest on: 本人同意 and/or the meeting's own statute."""
    law = meeting_type.law
    statutory = ([] if law is None else
                 [(AgendaItem.BASIS_SUPPORT_MEETING if law.key == SUPPORT_MEETING else AgendaItem.BASIS_SECTOR_MEETING,
                   law.item_basis_label)])
    rule = meeting_type.consent_rule
    if rule == "required":
        return [(AgendaItem.BASIS_CONSENT, AgendaItem(legal_basis=AgendaItem.BASIS_CONSENT).basis_label)]
    if rule == "not_required":
        return statutory
    if rule == "per_item":
        return [(AgendaItem.BASIS_CONSENT, AgendaItem(legal_basis=AgendaItem.BASIS_CONSENT).basis_label)] + statutory
    return []


class ResourceGap(TenantModel):  # 地域課題（社会資源の不足）
    STATUS_CHOICES = [("identified", "把握"), ("studying", "検討中"), ("developed", "開発済")]

    title = models.CharField("課題", max_length=200)
    description = models.TextField("内容", blank=True)
    district = models.ForeignKey("directory.District", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="地区")
    source_item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="resource_gaps", verbose_name="元の議題")
    status = models.CharField("状態", max_length=12, choices=STATUS_CHOICES, default="identified")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "地域課題"
        verbose_name_plural = "地域課題"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


from .governance_models import DifficultCase, MeetingTopic, RosterEntry, Training  # noqa: E402, F401
