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
    # The resident whose record was read (for 「この方の記録を見た人」) and the grants that allowed the read
    # (ACCESS.md invariant 5): [{"kind": "G2", "id": 12, "basis": "本人同意 #3"}, …].
    subject_person_id = models.BigIntegerField("対象の本人", null=True, blank=True, db_index=True)
    grants = models.JSONField("閲覧の根拠", default=list, blank=True)
    # Which of the independent chains (tsunagu/privacy/chain.py) this event is linked into; prev_hash is the hash
    # of the previous event of the same lane.
    lane = models.PositiveIntegerField("レーン", default=0)
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
    """One row per lane (id = lane + 1), locked while appending, so concurrent writers cannot fork a lane."""

    lane = models.PositiveIntegerField(default=0, unique=True)
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
    # 「会議での協議」: discussing the person at a consent-based meeting (whatever the city calls it, R9).
    MEETING_PURPOSE = "会議での協議"
    PURPOSES = ["関係機関へのつなぎ", "多機関協働", MEETING_PURPOSE, "参加支援", "アウトリーチ"]

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
    # Consent can be widened or narrowed after intake: each change is a new consent that supersedes the old
    # one (which stays on file, inactive, for the log of what was shared when).
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="superseded_by", verbose_name="変更前の同意")
    superseded_at = models.DateTimeField("変更日時", null=True, blank=True)
    # Members of a 重層的支援会議 who belong to no agency (民生委員 …) are named one by one (ACCESS.md G7).
    scope_staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                         verbose_name="共有してよい人（機関に属さない構成員）")

    class Meta:
        verbose_name = "本人同意"
        verbose_name_plural = "本人同意"
        ordering = ["-obtained_on", "-id"]

    def __str__(self) -> str:
        from tsunagu.core.wareki import format_wareki

        return f"同意 #{self.pk}（{self.method}・{format_wareki(self.obtained_on)}）"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.superseded_at is None

    @property
    def state_label(self) -> str:
        if self.withdrawn_at:
            return "撤回"
        if self.superseded_at:
            return "変更済み（新しい同意に置き換え）"
        return "有効"

    # The consent-based meeting (重層的支援会議, whatever the city calls it) is where 多機関協働 plans are decided
    # (法106条の4第2項第5号・第6号): a consent to 多機関協働 is a consent to discussing the plan there.
    IMPLIED_BY = {"会議での協議": {"多機関協働"}}

    def allows(self, purpose: str) -> bool:
        """An empty purpose list means the consent names no restriction of purpose."""
        return not self.purposes or purpose in self.purposes or bool(
            self.IMPLIED_BY.get(purpose, set()) & set(self.purposes))

    def covers(self, agency) -> bool:
        if not self.is_active:
            return False
        return self.scope_all_agencies or self.scope_agencies.filter(pk=agency.pk).exists()

    def scope_label(self) -> str:
        names = [a.name for a in self.scope_agencies.all()]
        if self.scope_all_agencies:
            names = ["市内の関係機関すべて"]
        names += [str(s) for s in self.scope_staff.all()]
        return "、".join(names) or "（機関の指定なし）"


class Disclosure(TenantModel):  # 情報提供の記録 (R1)
    BASIS_CHOICES = [("consent", "本人同意"), ("support_meeting", "社会福祉法第106条の6（支援会議）"),
                     ("statutory", "法令上の根拠")]

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


class Grant(models.Model):  # 閲覧の根拠（付与）
    """One way a user sees a record (ACCESS.md §2, grants G2–G4 and G6–G10), with the basis it rests on.

    Rows are created and ended by `privacy.access.sync_*`, which the services call whenever they create or end
    a basis (a referral, a consent, a team membership, an agenda item, an outreach assignment, emergency
    access). G1 (the agency's own records) and G5 (the coordinator's case record) are not stored: they follow
    from the record's own columns. A row is never deleted: an ended grant stays as the history of who could see
    what, and why. The record columns are plain ids so that privacy imports no domain app.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("種類", max_length=4)
    key = models.CharField("識別子", max_length=160)
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="grants", verbose_name="本人")
    # Who: the casework (or participation) roles of an agency, or one staff member.
    agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="機関")
    role_scope = models.CharField("対象の役割", max_length=16, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="職員")
    # What: the records the grant opens (which classes of each follows from the kind, privacy.access.KINDS).
    consultation_id = models.BigIntegerField(null=True, blank=True)
    referral_id = models.BigIntegerField(null=True, blank=True)
    household_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    item_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    target_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    address = models.BooleanField("秘匿住所の開示", default=False)
    # Why.
    basis = models.CharField("根拠", max_length=300)
    consent_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField("開始")
    expires_at = models.DateTimeField("期限", null=True, blank=True)
    ended_at = models.DateTimeField("終了", null=True, blank=True)
    end_reason = models.CharField("終了の理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "閲覧の根拠"
        verbose_name_plural = "閲覧の根拠"
        constraints = [models.UniqueConstraint(fields=["key"], condition=models.Q(ended_at__isnull=True),
                                               name="grant_active_key_unique")]
        indexes = [
            models.Index(fields=["person", "ended_at"], name="grant_person"),
            models.Index(fields=["agency", "role_scope", "ended_at"], name="grant_agency"),
            models.Index(fields=["staff", "ended_at"], name="grant_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class EmergencyAccess(TenantModel):  # 緊急時の閲覧（ブレイクグラス, ACCESS.md G10）
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="本人")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="閲覧した職員")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="職員の所属機関")
    basis = models.CharField("根拠", max_length=40)
    basis_label = models.CharField("根拠（表示）", max_length=200)
    reason = models.TextField("理由")
    started_at = models.DateTimeField("開始")
    expires_at = models.DateTimeField("期限")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="確認者")
    reviewed_at = models.DateTimeField("確認日時", null=True, blank=True)
    review_note = models.TextField("確認の記録", blank=True)

    class Meta:
        verbose_name = "緊急時の閲覧"
        verbose_name_plural = "緊急時の閲覧"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:  # no names: the audit log shows this text
        return f"緊急時の閲覧 #{self.pk}"


class AddressRelease(TenantModel):  # 秘匿住所の開示（記録した機関が、名前を挙げた根拠に限って開示する）
    KIND_CHOICES = [("G2", "つなぎ（本人同意）"), ("G4", "支援チーム")]

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="本人")
    kind = models.CharField("開示する根拠", max_length=4, choices=KIND_CHOICES)
    referral_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="開示先の機関")
    reason = models.TextField("開示の理由")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField("開示日時")
    revoked_at = models.DateTimeField("取消日時", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "秘匿住所の開示"
        verbose_name_plural = "秘匿住所の開示"

    def __str__(self) -> str:
        return f"秘匿住所の開示 #{self.pk}"


class ReadRecord(models.Model):  # 閲覧記録（「この方の記録を見た人」のための索引）
    """One row per resident whose data a request showed; the event itself is in the hash-chained log."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="reads")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    person_id = models.BigIntegerField("本人")
    record_type = models.CharField("記録の種類", max_length=32, blank=True)
    record_id = models.BigIntegerField("記録", null=True, blank=True)
    grants = models.JSONField("閲覧の根拠", default=list)

    class Meta:
        verbose_name = "閲覧記録"
        verbose_name_plural = "閲覧記録"
        indexes = [models.Index(fields=["municipality", "person_id", "-event"], name="read_person")]

    def __str__(self) -> str:
        return f"閲覧記録 #{self.pk}"


class Revision(TenantModel):  # 訂正の履歴（版）
    """One change of a record (person, household, consultation, assessment, plan draft, progress note): the fields
    that changed with their earlier and new values, who, when and why. Nothing is deleted by a correction: the
    earlier values live here, and the record's first version is the record as created minus every change since.

    `changes`: [{"field", "label", "class", "old", "new", "old_text", "new_text"}]; `class` is the field class of
    ACCESS.md §1 the value belongs to, so a reader sees a change only where their grant opens that class.
    Reads go through privacy.corrections (the same grant as the record)."""

    record_type = models.CharField("記録の種類", max_length=20)
    record_id = models.BigIntegerField("記録ID")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="本人")
    version = models.PositiveIntegerField("版")
    changes = models.JSONField("変更した項目", default=list)
    address_masked = models.BooleanField("住所の秘匿（記録時）", default=False)
    reason = models.TextField("訂正の理由")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="訂正した人")
    actor_agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="訂正した機関")
    created_at = models.DateTimeField("訂正日時")

    class Meta:
        verbose_name = "訂正の履歴"
        verbose_name_plural = "訂正の履歴"
        ordering = ["record_type", "record_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["record_type", "record_id", "version"],
                                               name="revision_version_unique")]
        indexes = [models.Index(fields=["municipality", "record_type", "record_id"])]

    def __str__(self) -> str:
        return f"{self.record_type} #{self.record_id} 第{self.version}版"


class CorrectionNotice(TenantModel):  # 訂正のお知らせ（提供先の機関へ）
    """A correction of a record that an agency had received (a referral, a team, a disclosure): that agency's
    casework roles see it on 今日やること and the notice list until someone of the agency has read it."""

    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="notices")
    agency = models.ForeignKey("directory.Agency", on_delete=models.PROTECT, related_name="+",
                               verbose_name="知らせる機関")
    created_at = models.DateTimeField("通知日時")
    read_at = models.DateTimeField("確認日時", null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        verbose_name = "訂正のお知らせ"
        verbose_name_plural = "訂正のお知らせ"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "agency", "read_at"])]
