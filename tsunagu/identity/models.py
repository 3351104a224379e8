"""名寄せ: comparison keys, candidate pairs for review, and confirmed links between person records.

A confirmed match never moves or rewrites a record: it adds an IdentityLink between two Person rows (one
identity cluster = the connected records). Each agency keeps seeing only the rows the access policy allows
(R10); deleting the link (unmerge) restores the exact prior state.
"""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.people.models import Person


class MatchKey(TenantModel):  # 名寄せ用の比較キー（表示しない）
    """Derived, indexed comparison keys of one person: the blocking index of the matcher."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, primary_key=True, related_name="+")
    name_key = models.CharField(max_length=100, blank=True)
    name_sei = models.CharField(max_length=60, blank=True)
    name_mei = models.CharField(max_length=60, blank=True)
    kana_key = models.CharField(max_length=100, blank=True)
    kana_sei = models.CharField(max_length=60, blank=True)
    kana_mei = models.CharField(max_length=60, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    address_key = models.CharField(max_length=200, blank=True)
    phone_key = models.CharField(max_length=40, blank=True)
    sex = models.CharField(max_length=8, blank=True)
    source = models.CharField(max_length=32, blank=True, help_text="元データのハッシュ（変更検出用）")

    class Meta:
        verbose_name = "名寄せキー"
        verbose_name_plural = "名寄せキー"
        indexes = [
            models.Index(fields=["municipality", "name_key"], name="idkey_name"),
            models.Index(fields=["municipality", "kana_key"], name="idkey_kana"),
            models.Index(fields=["municipality", "birth_date"], name="idkey_birth"),
            models.Index(fields=["municipality", "phone_key"], name="idkey_phone"),
            models.Index(fields=["municipality", "address_key"], name="idkey_address"),
        ]


class MatchRun(TenantModel):  # 一括照合の実行記録
    started_at = models.DateTimeField("開始")
    finished_at = models.DateTimeField("終了", null=True, blank=True)
    persons = models.PositiveIntegerField("対象の本人", default=0)
    pairs_compared = models.PositiveBigIntegerField("比較したペア", default=0)
    person_pairs = models.PositiveIntegerField("同一人物の候補", default=0)
    household_pairs = models.PositiveIntegerField("同一世帯の候補", default=0)
    created = models.PositiveIntegerField("新規", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("変化なし", default=0)
    stale = models.PositiveIntegerField("候補から外れた", default=0)
    parameters = models.JSONField("照合の重み", default=dict, blank=True,
                                  help_text="この実行で学習した m・u・事前確率（受付時の候補にも使う）")

    class Meta:
        verbose_name = "一括照合"
        verbose_name_plural = "一括照合"


class MatchCandidate(TenantModel):  # 名寄せ候補
    PERSON, HOUSEHOLD = "person", "household"
    KIND_CHOICES = [(PERSON, "同一人物"), (HOUSEHOLD, "同一世帯")]
    OPEN, MERGED, REJECTED, STALE = "open", "merged", "rejected", "stale"
    STATUS_CHOICES = [(OPEN, "確認待ち"), (MERGED, "確定"), (REJECTED, "別人・別世帯"), (STALE, "候補から外れた")]
    BAND_CHOICES = [("suggest", "有力候補"), ("review", "要確認"), ("household", "同一世帯の可能性")]

    kind = models.CharField("種類", max_length=16, choices=KIND_CHOICES)
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("スコア")
    band = models.CharField("区分", max_length=16, choices=BAND_CHOICES)
    reasons = models.JSONField("根拠", default=list)
    status = models.CharField("状態", max_length=16, choices=STATUS_CHOICES, default=OPEN)
    found_at = models.DateTimeField("検出日時")
    updated_at = models.DateTimeField("更新日時")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="確認者")
    decided_at = models.DateTimeField("確認日時", null=True, blank=True)
    decision_note = models.CharField("メモ", max_length=300, blank=True)

    class Meta:
        verbose_name = "名寄せ候補"
        verbose_name_plural = "名寄せ候補"
        constraints = [
            models.UniqueConstraint(fields=["kind", "person_a", "person_b"], name="match_candidate_unique"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="match_candidate_order"),
        ]
        indexes = [models.Index(fields=["municipality", "kind", "status", "score"], name="idcand_queue")]

    def __str__(self) -> str:  # no names: the audit log shows this text
        return f"名寄せ候補 #{self.pk}（{self.get_kind_display()}）"


class IdentityLink(TenantModel):  # 名寄せリンク（確定）
    """Two person records confirmed by a reviewer to be the same person (or the same household)."""

    kind = models.CharField("種類", max_length=16, choices=MatchCandidate.KIND_CHOICES)
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.OneToOneField(MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="link")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="確認者")
    linked_at = models.DateTimeField("確定日時")
    note = models.CharField("メモ", max_length=300, blank=True)

    class Meta:
        verbose_name = "名寄せリンク"
        verbose_name_plural = "名寄せリンク"
        constraints = [
            models.UniqueConstraint(fields=["kind", "person_a", "person_b"], name="identity_link_unique"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")), name="identity_link_order"),
        ]

    def __str__(self) -> str:
        return f"名寄せリンク #{self.pk}（{self.get_kind_display()}）"


class MatchJob(TenantModel):  # 画面から始めた一括照合（進み具合）
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATUS_CHOICES = [(QUEUED, "開始待ち"), (RUNNING, "実行中"), (DONE, "完了"), (FAILED, "失敗")]

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="開始した人")
    requested_at = models.DateTimeField("開始の指示")
    status = models.CharField("状態", max_length=16, choices=STATUS_CHOICES, default=QUEUED)
    message = models.CharField("進み具合", max_length=300, blank=True)
    heartbeat_at = models.DateTimeField("最後の進捗", null=True, blank=True)
    finished_at = models.DateTimeField("終了", null=True, blank=True)
    run = models.OneToOneField(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="job",
                               verbose_name="照合の結果")

    class Meta:
        verbose_name = "一括照合の実行"
        verbose_name_plural = "一括照合の実行"
        indexes = [models.Index(fields=["municipality", "status"], name="idjob_status")]

    @property
    def active(self) -> bool:
        return self.status in (self.QUEUED, self.RUNNING)
