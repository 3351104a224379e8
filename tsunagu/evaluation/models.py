"""KPI definitions (評価指標) and fiscal-year targets, loaded from the profile."""

from django.db import models

from tsunagu.core.models import TenantModel
from tsunagu.directory.profile_schema import KPI_KINDS


class KpiDefinition(TenantModel):  # 評価指標
    code = models.CharField("コード", max_length=64)
    name = models.CharField("指標名", max_length=200)
    kind = models.CharField("算出方法", max_length=40, choices=list(KPI_KINDS.items()))
    area = models.CharField("事業区分", max_length=20)
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

    class Meta:
        verbose_name = "年度目標"
        verbose_name_plural = "年度目標"
        ordering = ["fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpitarget_year_unique")]
