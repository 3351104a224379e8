"""多機関協働 (法106条の4第2項第5号・第6号): cases, the consented team, assessment, versioned support plans,
progress notes, evaluation and つながり続ける follow-up."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.directory.models import Agency
from tsunagu.people.models import Household, Person


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .policy import visible_case_q

        if not user.is_authenticated or not user.municipality_id:
            return self.none()
        return self.filter(visible_case_q(user))


class Case(TenantModel):  # 事例（多機関協働）
    INTAKE, GATHERING, ASSESSMENT, PLAN_DRAFT, AWAITING_APPROVAL = (
        "intake", "gathering", "assessment", "plan_draft", "awaiting_approval")
    SUPPORTING, MONITORING, AWAITING_CLOSURE, CLOSED, RETURNED = (
        "supporting", "monitoring", "awaiting_closure", "closed", "returned")
    STATUS_CHOICES = [
        (INTAKE, "受付"), (GATHERING, "情報収集"), (ASSESSMENT, "アセスメント"), (PLAN_DRAFT, "プラン案"),
        (AWAITING_APPROVAL, "会議承認待ち"), (SUPPORTING, "支援中"), (MONITORING, "モニタリング"),
        (AWAITING_CLOSURE, "終結評価待ち"), (CLOSED, "終結"), (RETURNED, "包括的相談支援へ戻す"),
    ]
    OPEN_STATUSES = [INTAKE, GATHERING, ASSESSMENT, PLAN_DRAFT, AWAITING_APPROVAL, SUPPORTING, MONITORING,
                     AWAITING_CLOSURE]

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases", verbose_name="本人")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="cases", verbose_name="世帯")
    consultation = models.ForeignKey("intake.Consultation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="cases", verbose_name="元の相談")
    referral = models.ForeignKey("intake.Referral", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="cases", verbose_name="引継ぎ")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="担当コーディネーター")
    coordinating_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                            verbose_name="多機関協働の機関")
    lead_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="主担当機関")
    title = models.CharField("事例名", max_length=200)
    status = models.CharField("状態", max_length=20, choices=STATUS_CHOICES, default=INTAKE)
    opened_at = models.DateTimeField("受付日時")
    closed_at = models.DateTimeField("終結日時", null=True, blank=True)
    closure_reason = models.CharField("終結の理由", max_length=200, blank=True)
    follow_up = models.BooleanField("つながり続ける（終結後の見守り）", default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "事例"
        verbose_name_plural = "事例"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"事例 #{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def active_plan(self):
        return self.plans.filter(status=SupportPlan.APPROVED).order_by("-version").first()


class TeamMember(TenantModel):  # 支援チーム（同意に基づく）
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team", verbose_name="事例")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_teams", verbose_name="機関")
    role = models.CharField("役割", max_length=300)
    consent = models.ForeignKey("privacy.Consent", on_delete=models.PROTECT, related_name="team_members",
                                verbose_name="根拠となる同意")
    active = models.BooleanField("参加中", default=True)
    added_at = models.DateTimeField("参加日時", auto_now_add=True)

    class Meta:
        verbose_name = "支援チームの機関"
        verbose_name_plural = "支援チーム"
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="team_agency_unique")]

    def __str__(self) -> str:
        return f"{self.agency}（{self.role}）"


SEVERITY_CHOICES = [("3", "高"), ("2", "中"), ("1", "低")]
ASSESSMENT_DOMAINS = ["健康・医療", "介護", "障がい", "子育て・教育", "就労・収入", "住まい", "家計・債務",
                      "家族関係", "社会参加・孤立", "権利擁護", "その他"]
RISK_KINDS = ["自殺", "虐待", "DV"]
CONNECTION_KINDS = [("agency", "関係機関"), ("family", "家族・親族"), ("community", "地域・知人"),
                    ("service", "サービス・制度")]
CONNECTION_STRENGTHS = [("strong", "強い"), ("weak", "弱い"), ("stress", "ストレスのある関係")]


class Assessment(TenantModel):  # インテーク・アセスメントシート
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assessment")
    household_notes = models.TextField("世帯の状況・家族関係", blank=True)
    life_history = models.TextField("生活歴", blank=True)
    issues = models.JSONField("領域ごとの課題", default=list, blank=True)  # [{domain, severity, note}]
    strengths = models.TextField("強み・できていること", blank=True)
    wishes = models.TextField("本人の意向", blank=True)
    risks = models.JSONField("リスク", default=dict, blank=True)  # {自殺: {level, note}, …}
    connections = models.JSONField("つながり（エコマップ）", default=list, blank=True)  # [{name, kind, strength}]
    # 版: 1 when first saved, +1 on every change; the earlier values are in privacy.Revision ("assessment", case).
    version = models.PositiveIntegerField("版", default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新日時")

    class Meta:
        verbose_name = "アセスメント"
        verbose_name_plural = "アセスメント"

    def __str__(self) -> str:
        return f"アセスメント（{self.case}）"


class SupportPlan(TenantModel):  # 支援プラン（プランシート）
    DRAFT, ON_AGENDA, APPROVED, SENT_BACK, SUPERSEDED = "draft", "on_agenda", "approved", "sent_back", "superseded"
    STATUS_CHOICES = [(DRAFT, "案"), (ON_AGENDA, "会議に提出済み"), (APPROVED, "承認済み（有効）"),
                      (SENT_BACK, "差し戻し"), (SUPERSEDED, "旧版")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField("版")
    status = models.CharField("状態", max_length=12, choices=STATUS_CHOICES, default=DRAFT)
    long_term_goal = models.TextField("長期目標")
    short_term_goals = models.TextField("短期目標")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="主担当機関")
    review_date = models.DateField("見直し日")
    refer_outreach = models.BooleanField("アウトリーチへつなぐ", default=False)
    refer_participation = models.BooleanField("参加支援へつなぐ", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("作成日時")
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)
    decision_note = models.TextField("会議の意見", blank=True)

    class Meta:
        verbose_name = "支援プラン"
        verbose_name_plural = "支援プラン"
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"支援プラン 第{self.version}版（{self.get_status_display()}）"


class PlanAction(TenantModel):  # プランの取組
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField("取組")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="担当機関")
    person_in_charge = models.CharField("担当者", max_length=100, blank=True)
    due_date = models.DateField("期限")
    done_at = models.DateTimeField("完了日時", null=True, blank=True)

    class Meta:
        verbose_name = "プランの取組"
        verbose_name_plural = "プランの取組"
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:40]


class ProgressNote(TenantModel):  # 支援経過記録
    KIND_CHOICES = [("visit", "訪問"), ("office", "来所"), ("phone", "電話"), ("meeting", "会議・調整"),
                    ("accompany", "同行"), ("other", "その他")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="記録機関")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField("日時")
    kind = models.CharField("種類", max_length=10, choices=KIND_CHOICES)
    text = models.TextField("内容")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "支援経過記録"
        verbose_name_plural = "支援経過記録"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"経過 {self.occurred_at:%Y-%m-%d} {self.agency}"


class Evaluation(TenantModel):  # 評価シート
    RECOMMEND_CHOICES = [("close", "終結"), ("continue", "支援継続（プラン見直し）"),
                         ("return", "包括的相談支援へ戻す（主担当を窓口へ）")]
    DRAFT, ON_AGENDA, APPROVED, SENT_BACK = "draft", "on_agenda", "approved", "sent_back"
    STATUS_CHOICES = [(DRAFT, "案"), (ON_AGENDA, "会議に提出済み"), (APPROVED, "承認済み"), (SENT_BACK, "差し戻し")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    plan = models.ForeignKey(SupportPlan, on_delete=models.PROTECT, related_name="evaluations")
    goal_review = models.TextField("目標の達成状況")
    changes = models.TextField("本人・世帯の変化")
    remaining_issues = models.TextField("残された課題", blank=True)
    recommendation = models.CharField("評価の結論", max_length=10, choices=RECOMMEND_CHOICES)
    follow_up = models.BooleanField("終結後もつながり続ける", default=True)
    status = models.CharField("状態", max_length=10, choices=STATUS_CHOICES, default=DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("作成日時")
    approved_at = models.DateTimeField("承認日時", null=True, blank=True)

    class Meta:
        verbose_name = "評価"
        verbose_name_plural = "評価"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"評価（{self.get_recommendation_display()}・{self.get_status_display()}）"


class FollowUp(TenantModel):  # つながり続ける（終結後の見守り）
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_date = models.DateField("予定日")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="担当機関")
    done_at = models.DateTimeField("実施日時", null=True, blank=True)
    note = models.TextField("記録", blank=True)

    class Meta:
        verbose_name = "見守り"
        verbose_name_plural = "見守り"
        ordering = ["due_date"]

    def __str__(self) -> str:
        return f"見守り {self.due_date}"
