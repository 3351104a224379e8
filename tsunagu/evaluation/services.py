"""What managers maintain for the evaluation (評価): manual actuals per fiscal year or month, and targets per
fiscal year. Each write is atomic and audited; the profile load never overwrites or deletes what is entered here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.core.wareki import format_fiscal_year
from tsunagu.directory.names import role_title
from tsunagu.privacy.audit import log_action

from .models import KpiDefinition, KpiTarget, ManualActual

MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]  # the order of a fiscal year


class EvaluationError(DomainError):
    pass


def can_maintain(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.municipality_id and user.is_manager
                and not user.municipality.is_prefecture)


def require_manager(actor) -> None:
    if not can_maintain(actor):
        m = getattr(actor, "municipality", None)
        raise PermissionDenied(f"目標と実績を入力できるのは{role_title(m, 'manager')}だけです")


def _check(actor, kpi: KpiDefinition | None, fiscal_year) -> None:
    if kpi is None or kpi.municipality_id != actor.municipality_id or not kpi.active:
        raise EvaluationError("指標を選んでください", field="kpi")
    if fiscal_year is None or not 2000 <= int(fiscal_year) <= 2100:
        raise EvaluationError("年度を選んでください", field="fiscal_year")


def _number(value, field: str, label: str) -> float:
    if value is None:
        raise EvaluationError(f"{label}を入力してください", field=field)
    if value < 0:
        raise EvaluationError(f"{label}は0以上で入力してください", field=field)
    if value > 1e9:
        raise EvaluationError(f"{label}が大きすぎます", field=field)
    return float(value)


@transaction.atomic
def save_manual_actual(actor, kpi: KpiDefinition, *, fiscal_year: int, month: int = ManualActual.YEAR,
                       value: float, note: str = "", request=None) -> ManualActual:
    """手入力の実績 for a fiscal year (month 0 = 年間) or one month of it; saving again replaces the figure."""
    require_manager(actor)
    _check(actor, kpi, fiscal_year)
    if month not in (ManualActual.YEAR, *MONTHS):
        raise EvaluationError("月を選んでください（年間または4月〜3月）", field="month")
    value = _number(value, "value", "実績値")
    previous = ManualActual.objects.filter(kpi=kpi, fiscal_year=fiscal_year, month=month).first()
    actual, _ = ManualActual.objects.update_or_create(
        kpi=kpi, fiscal_year=fiscal_year, month=month,
        defaults={"municipality_id": kpi.municipality_id, "value": value, "note": (note or "").strip()[:300],
                  "recorded_by": actor})
    log_action("evaluation.manual_saved", actor=actor, obj=kpi, request=request,
               detail={"fiscal_year": fiscal_year, "month": month, "value": value,
                       "previous": previous.value if previous else None})
    return actual


@transaction.atomic
def delete_manual_actual(actor, actual: ManualActual, *, request=None) -> None:
    require_manager(actor)
    if actual.municipality_id != actor.municipality_id:
        raise EvaluationError("実績が見つかりません")
    log_action("evaluation.manual_deleted", actor=actor, obj=actual.kpi, request=request,
               detail={"fiscal_year": actual.fiscal_year, "month": actual.month, "value": actual.value})
    actual.delete()


@transaction.atomic
def save_target(actor, kpi: KpiDefinition, *, fiscal_year: int, target: float | None, request=None) -> KpiTarget:
    """年度目標 entered on screen: kept across profile loads (the load only fills years nobody entered)."""
    require_manager(actor)
    _check(actor, kpi, fiscal_year)
    target = _number(target, "target", "目標値")
    row = KpiTarget.objects.select_for_update().filter(kpi=kpi, fiscal_year=fiscal_year).first()
    previous = row.target if row else None
    if row is None:
        row = KpiTarget(municipality_id=kpi.municipality_id, kpi=kpi, fiscal_year=fiscal_year)
    row.target, row.entered_by, row.entered_at = target, actor, timezone.now()
    row.save()
    log_action("evaluation.target_saved", actor=actor, obj=kpi, request=request,
               detail={"fiscal_year": fiscal_year, "label": format_fiscal_year(fiscal_year), "target": target,
                       "previous": previous})
    return row
