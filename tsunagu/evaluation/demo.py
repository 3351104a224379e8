"""Demo 手入力の実績 for 令和7年度: every indicator the records do not compute gets a figure entered by the city's
manager, so no indicator of a seed profile stays 「未集計」. Run once per municipality."""

from __future__ import annotations

from django.db import transaction

from .kpis import fiscal_year_rows
from .models import KpiTarget, ManualActual
from .services import save_manual_actual

DEMO_YEAR = 2025  # 令和7年度


def _plausible(kpi, target) -> float:
    if target is not None:
        return float(round(target * 0.9)) if target >= 2 else float(target)
    known = (KpiTarget.objects.filter(kpi=kpi, baseline__isnull=False).order_by("-fiscal_year")
             .values_list("baseline", flat=True).first())
    return float(known) if known is not None else 1.0


@transaction.atomic
def load_manual_actuals_demo(municipality, manager, *, fiscal_year: int = DEMO_YEAR) -> int:
    if manager is None or ManualActual.objects.filter(municipality=municipality, fiscal_year=fiscal_year).exists():
        return 0
    entered = 0
    for row in fiscal_year_rows(municipality, fiscal_year):
        if row.actual is None:
            save_manual_actual(manager, row.kpi, fiscal_year=fiscal_year, value=_plausible(row.kpi, row.target),
                               note="デモ用の値（所管課の集計から転記した想定）")
            entered += 1
    return entered
