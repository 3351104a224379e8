"""KPI definitions (評価指標) and fiscal-year targets, loaded from the profile."""

from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.directory.profile_schema import KPI_KINDS


class KpiDefinition(TenantModel):  # 評価指標
    code = models.CharField("コード", max_length=64)
    name = models.CharField("指標名", max_length=200)
    kind = models.CharField("算出方法", max_length=40, choices=list(KPI_KINDS.items()))
    area = models.CharField("事業区分", max_length=20)
    indicator = models.CharField("共通指標", max_length=40, blank=True)
    unit = models.CharField("単位", max_length=20, default="件")
    filters = models.JSONField("条件", default=dict, blank=True)
    description = models.TextField("説明", blank=True)
    active = models.BooleanField("有効", default=True)
    sort_order = models.PositiveIntegerField("並び順", default=0)

    class Meta:
        verbose_name = "評価指標"
        verbose_name_plural = "評価指標"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="kpi_code_unique")]

    def __str__(self) -> str:
        return self.name


class KpiTarget(TenantModel):  # 年度目標
    kpi = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="targets", verbose_name="指標")
    fiscal_year = models.PositiveIntegerField("年度")
    target = models.FloatField("目標値", null=True, blank=True)
    baseline = models.FloatField("計画時の実績", null=True, blank=True)
    # Set when a manager enters the target on screen: the profile load then leaves the row alone (never
    # overwrites or deletes it).
    entered_by = models.ForeignKey("directory.Staff", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="画面で入力した職員")
    entered_at = models.DateTimeField("画面で入力した日時", null=True, blank=True)

    class Meta:
        verbose_name = "年度目標"
        verbose_name_plural = "年度目標"
        ordering = ["fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpitarget_year_unique")]


class ManualActual(TenantModel):  # 手入力の実績
    """Actuals of KPIs the records cannot compute (kind "manual", or figures kept outside tsunagu).

    One row per fiscal year (month 0 = 年間) or per month (4 … 3). The year's actual is the 年間 row when there is
    one, else the sum of the months entered.
    """

    YEAR = 0
    kpi = models.ForeignKey(KpiDefinition, on_delete=models.CASCADE, related_name="manual_actuals")
    fiscal_year = models.PositiveIntegerField("年度")
    month = models.PositiveSmallIntegerField("月", default=YEAR, help_text="0 = 年間")
    value = models.FloatField("実績値")
    note = models.CharField("出典・備考", max_length=300, blank=True)
    recorded_by = models.ForeignKey("directory.Staff", on_delete=models.PROTECT, related_name="+",
                                    verbose_name="入力者")
    recorded_at = models.DateTimeField("入力日時", auto_now=True)

    class Meta:
        verbose_name = "手入力の実績"
        verbose_name_plural = "手入力の実績"
        ordering = ["fiscal_year", "month", "id"]
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year", "month"],
                                               name="manualactual_month_unique")]

    @property
    def period_label(self) -> str:
        return "年間" if self.month == self.YEAR else f"{self.month}月"

    def __str__(self) -> str:
        return f"{self.kpi} {self.fiscal_year}: {self.value}"


class PrefectureStat(TenantModel):  # 県が取り込んだ市町村の集計値（個人を識別しない）
    """One aggregated, small-count-suppressed figure of a member municipality, imported by the prefecture.
    `municipality` is the prefecture that owns the row; `member` the municipality the figure describes."""

    OWN, COMMON = "own", "common"
    SCOPE_CHOICES = [(OWN, "市町村独自の指標"), (COMMON, "共通指標")]

    member = models.ForeignKey("directory.PrefectureMember", on_delete=models.CASCADE, related_name="stats")
    fiscal_year = models.PositiveIntegerField("年度")
    scope = models.CharField("区分", max_length=8, choices=SCOPE_CHOICES, default=OWN)
    code = models.CharField("指標コード", max_length=64)
    source = models.CharField("算出元", max_length=80, blank=True,
                              help_text="共通指標: kpi:<市町村の指標コード> または standard（標準の定義で算出）")
    name = models.CharField("指標", max_length=200)
    area = models.CharField("事業区分", max_length=20)
    unit = models.CharField("単位", max_length=20)
    value = models.FloatField("値", null=True, blank=True)
    suppressed = models.BooleanField("秘匿（3未満）", default=False)
    imported_at = models.DateTimeField("取込日時", auto_now=True)

    class Meta:
        verbose_name = "市町村の集計値"
        verbose_name_plural = "市町村の集計値"
        constraints = [models.UniqueConstraint(fields=["member", "fiscal_year", "scope", "code"],
                                               name="prefstat_scope_unique")]

    def __str__(self) -> str:
        return f"{self.member} {self.fiscal_year} {self.name}"

    @property
    def display(self) -> str:
        if self.suppressed:
            return "<3"
        return "—" if self.value is None else f"{self.value:g}"


class SupporterConsultation(TenantModel):  # 支援者支援（都道府県）
    """A consultation from front-line staff of a member municipality, about a case without identifying it."""

    OPEN, DONE = "open", "done"
    STATUS_CHOICES = [(OPEN, "対応中"), (DONE, "完了")]

    member = models.ForeignKey("directory.PrefectureMember", on_delete=models.PROTECT, related_name="+",
                               verbose_name="相談元の市町村")
    received_on = models.DateField("受付日")
    consulter_role = models.CharField("相談者の役割", max_length=100, help_text="例: 多機関協働の担当者")
    topic = models.TextField("相談内容（個人を特定できる情報は書かない）")
    response = models.TextField("助言・対応", blank=True)
    status = models.CharField("状態", max_length=8, choices=STATUS_CHOICES, default=OPEN)
    completed_on = models.DateField("完了日", null=True, blank=True)
    recorded_by = models.ForeignKey("directory.Staff", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "支援者支援"
        verbose_name_plural = "支援者支援"
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.received_on}"


class Survey(TenantModel):  # 実態調査
    title = models.CharField("調査名", max_length=200)
    fiscal_year = models.PositiveIntegerField("年度")
    question = models.TextField("調査の説明", blank=True)

    class Meta:
        verbose_name = "実態調査"
        verbose_name_plural = "実態調査"
        ordering = ["-fiscal_year", "-id"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(TenantModel):  # 実態調査の設問
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveIntegerField("設問番号")
    text = models.TextField("設問")

    class Meta:
        verbose_name = "実態調査の設問"
        verbose_name_plural = "実態調査の設問"
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="surveyquestion_unique")]

    def __str__(self) -> str:
        return f"{self.survey.title} 問{self.number}"


class SurveyResult(TenantModel):  # 実態調査の市町村別回答
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="results")
    question = models.ForeignKey(SurveyQuestion, null=True, on_delete=models.CASCADE, related_name="results",
                                 verbose_name="設問")
    member = models.ForeignKey("directory.PrefectureMember", on_delete=models.PROTECT, related_name="+")
    value = models.FloatField("数値回答", null=True, blank=True)
    answer = models.TextField("回答", blank=True)

    class Meta:
        verbose_name = "実態調査の回答"
        verbose_name_plural = "実態調査の回答"
        ordering = ["question__number", "id"]
        constraints = [models.UniqueConstraint(fields=["survey", "question", "member"],
                                               name="surveyresult_question_unique")]

    def __str__(self) -> str:
        return f"{self.survey} {self.member}"

