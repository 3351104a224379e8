"""Actuals of the profile's KPIs, computed from the records for any fiscal year (年度) and month.

Each KPI kind the code knows has one function here (or registered by the app that owns the data); they count
rows of one municipality in a date range, never read personal fields, and return aggregate numbers only.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Min

from tsunagu.core.wareki import fiscal_year_range

from .models import KpiDefinition, KpiTarget, ManualActual

JST = ZoneInfo("Asia/Tokyo")
Computer = Callable[[object, dt.datetime, dt.datetime, dict], float | None]
COMPUTERS: dict[str, Computer] = {}


def computes(kind: str):
    def register(fn: Computer) -> Computer:
        COMPUTERS[kind] = fn
        return fn
    return register


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00 JST, end+1 00:00 JST) as aware datetimes."""
    return (dt.datetime.combine(start, dt.time.min, tzinfo=JST),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=JST))


def _agency_filter(qs, filters: dict, field: str = "agency__code"):
    codes = filters.get("agencies")
    return qs.filter(**{f"{field}__in": codes}) if codes else qs


@computes("multiagency_cases")
def _multiagency_cases(m, start, end, filters):
    from tsunagu.casework.models import Case

    return Case.objects.filter(municipality=m, opened_at__gte=start, opened_at__lt=end).count()


@computes("plans_created")
def _plans_created(m, start, end, filters):
    from tsunagu.casework.models import SupportPlan

    qs = SupportPlan.objects.filter(municipality=m, created_at__gte=start, created_at__lt=end)
    if not filters.get("include_revisions"):
        qs = qs.filter(version=1)
    return qs.count()


def _held(m, start, end):
    from tsunagu.meetings.models import Meeting

    # Counted by the held date the organiser recorded (meetings.services.record_held).
    return Meeting.objects.filter(municipality=m, status=Meeting.HELD, held_at__gte=start, held_at__lt=end)


def _items_with_basis(basis: str):
    """Agenda items resting on `basis`: "consent" or a statute-table key (the statute stored per item)."""
    from tsunagu.meetings.models import AgendaItem

    if basis == "consent":
        return AgendaItem.objects.filter(legal_basis=AgendaItem.BASIS_CONSENT)
    return AgendaItem.objects.exclude(legal_basis=AgendaItem.BASIS_CONSENT).filter(statute=basis)


def _meetings_by_basis(m, start, end, filters, *, kind: str, rule: str, basis: str):
    """Meetings held of one legal kind: a meeting of that kind alone (kind/consent rule), or a merged meeting
    (per_item) counted once for each basis it actually held items under, so a merged meeting that discussed a
    consented case and a no-consent one counts in both KPIs and one that held only consent items does not count
    as a 支援会議."""
    qs = _held(m, start, end)
    if filters.get("meeting_types"):
        return qs.filter(meeting_type__code__in=filters["meeting_types"]).count()
    alone = qs.exclude(meeting_type__consent_rule="per_item").filter(**{kind: rule})
    merged = qs.filter(meeting_type__consent_rule="per_item", items__in=_items_with_basis(basis)).distinct()
    return alone.count() + merged.count()


@computes("jusoteki_meetings_held")
def _jusoteki(m, start, end, filters):
    return _meetings_by_basis(m, start, end, filters, kind="meeting_type__kind", rule="重層的支援会議",
                              basis="consent")


@computes("shien_meetings_held")
def _shien(m, start, end, filters):
    """支援会議 of 社会福祉法第106条の6 only: a sector law's 支援会議 (e.g. 生活困窮者自立支援法第9条) is not one."""
    from tsunagu.directory.statutes import SUPPORT_MEETING

    qs = _held(m, start, end)
    if filters.get("meeting_types"):
        return qs.filter(meeting_type__code__in=filters["meeting_types"]).count()
    alone = qs.filter(meeting_type__statute=SUPPORT_MEETING, meeting_type__consent_rule="not_required")
    merged = qs.filter(meeting_type__consent_rule="per_item",
                       items__in=_items_with_basis(SUPPORT_MEETING)).distinct()
    return alone.count() + merged.count()


@computes("meetings_held")
def _meetings_held(m, start, end, filters):
    qs = _held(m, start, end)
    if filters.get("meeting_types"):
        qs = qs.filter(meeting_type__code__in=filters["meeting_types"])
    if filters.get("statute"):
        qs = qs.filter(meeting_type__statute=filters["statute"])
    return qs.count()


@computes("case_items")
def _case_items(m, start, end, filters):
    """Agenda items on a person or case, by legal basis, in meetings held in the period."""
    qs = _items_with_basis(filters["basis"]).filter(
        municipality=m, meeting__in=_held(m, start, end)).exclude(case__isnull=True, person__isnull=True)
    if filters.get("meeting_types"):
        qs = qs.filter(meeting__meeting_type__code__in=filters["meeting_types"])
    return qs.count()


def _field_filter(qs, m, filters: dict):
    """Filter by the agency's field (分野); JSON lists are matched in Python so SQLite and PostgreSQL agree."""
    field = filters.get("field")
    if not field:
        return qs
    from tsunagu.directory.models import Agency

    ids = [a.pk for a in Agency.objects.filter(municipality=m) if field in (a.fields or [])]
    return qs.filter(agency_id__in=ids)


@computes("consultations_total")
def _consultations_total(m, start, end, filters):
    from tsunagu.intake.models import Consultation

    # A receiver's record of an accepted referral is the same consultation, not a new one.
    qs = Consultation.objects.filter(municipality=m, received_at__gte=start, received_at__lt=end,
                                     source_referral__isnull=True)
    return _field_filter(_agency_filter(qs, filters), m, filters).count()


@computes("consultations_new")
def _consultations_new(m, start, end, filters):
    """Consultations in the period that are the person's first at that agency (新規相談)."""
    from tsunagu.intake.models import Consultation

    qs = _field_filter(_agency_filter(Consultation.objects.filter(municipality=m, source_referral__isnull=True),
                                      filters), m, filters)
    firsts = qs.values("person_id", "agency_id").annotate(first=Min("received_at"))
    return sum(1 for row in firsts if start <= row["first"] < end)


@computes("referrals_returned")
def _referrals_returned(m, start, end, filters):
    from tsunagu.intake.models import Referral

    return Referral.objects.filter(municipality=m, status=Referral.RETURNED, responded_at__gte=start,
                                   responded_at__lt=end).count()


@computes("median_days_to_plan")
def _median_days_to_plan(m, start, end, filters):
    """Median days from the first consultation of a case to its first plan, for first plans made in the period."""
    from tsunagu.casework.models import SupportPlan

    days = []
    for plan in SupportPlan.objects.filter(municipality=m, version=1, created_at__gte=start, created_at__lt=end
                                           ).select_related("case__consultation"):
        began = plan.case.consultation.received_at if plan.case.consultation else plan.case.opened_at
        days.append((plan.created_at - began).total_seconds() / 86400)
    return round(statistics.median(days), 1) if days else None


@computes("closures")
def _closures(m, start, end, filters):
    from tsunagu.casework.models import Case

    qs = Case.objects.filter(municipality=m, closed_at__gte=start, closed_at__lt=end)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.count()


@computes("places_count")
def _places_count(m, start, end, filters):
    """Places open at some time in the period (opened before it ended, not closed before it began)."""
    return _places(m, filters, start, end).count()


def _dates(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The inclusive date range of [start, end) bounds (for DateField records)."""
    return start.astimezone(JST).date(), (end.astimezone(JST) - dt.timedelta(days=1)).date()


@computes("outreach_targets")
def _outreach_targets(m, start, end, filters):
    from tsunagu.outreach.models import OutreachTarget

    first, last = _dates(start, end)
    return OutreachTarget.objects.filter(municipality=m, found_on__gte=first, found_on__lte=last).count()


@computes("participation_plans")
def _participation_plans(m, start, end, filters):
    """Persons for whom participation support was first proposed in the period (参加支援のプラン)."""
    from tsunagu.participation.models import Placement

    first, last = _dates(start, end)
    firsts = Placement.objects.filter(municipality=m).values("person_id").annotate(first=Min("proposed_on"))
    return sum(1 for row in firsts if first <= row["first"] <= last)


@computes("placements_active_3m")
def _placements_active_3m(m, start, end, filters):
    """Placements started in the period that were still going (or settled) 3 months after they started."""
    from django.utils import timezone

    from tsunagu.participation.models import Placement

    first, last = _dates(start, end)
    today = timezone.localdate()
    count = 0
    for p in Placement.objects.filter(municipality=m, started_on__gte=first, started_on__lte=last):
        three_months = p.started_on + dt.timedelta(days=91)
        if three_months > today:
            continue  # too early to tell
        stopped_early = p.status == Placement.INTERRUPTED and (p.ended_on is None or p.ended_on < three_months)
        count += not stopped_early
    return count


def _places(m, filters, start=None, end=None):
    """Places matching the filters; with a period, only those open during it (a place removed from the profile
    still counts in the years it was open, so past years' reports do not change)."""
    from django.db.models import Q

    from tsunagu.community.models import Place
    from tsunagu.directory.models import Project

    qs = Place.objects.filter(municipality=m)
    if start is None:
        qs = qs.filter(active=True)
    else:
        first, last = _dates(start, end)
        qs = qs.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=last)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=first))
    if filters.get("place_kind"):
        qs = qs.filter(kind=filters["place_kind"])
    if filters.get("places"):
        qs = qs.filter(code__in=filters["places"])
    if filters.get("project"):
        project = Project.objects.filter(municipality=m, code=filters["project"]).first()
        # A profile-2 project code; a version 1 profile named the project by a fragment of the places' names.
        qs = qs.filter(project=project) if project else qs.filter(name__contains=filters["project"])
    return qs


@computes("place_users")
def _place_users(m, start, end, filters):
    """延べ利用者数 of usage records whose period starts in the range; None when nothing was recorded."""
    from django.db.models import Sum

    from tsunagu.community.models import UsageRecord

    first, last = _dates(start, end)
    total = UsageRecord.objects.filter(place__in=_places(m, filters, start, end), period_start__gte=first,
                                       period_start__lte=last).aggregate(n=Sum("total_visits"))["n"]
    return total


@computes("community_projects")
def _community_projects(m, start, end, filters):
    """Areas (地区) where the project runs, counted from the places registered for it."""
    places = list(_places(m, filters, start, end))
    return len({p.district_id or f"place-{p.pk}" for p in places}) if places else 0


@dataclass
class KpiRow:
    kpi: KpiDefinition
    target: float | None
    baseline: float | None
    actual: float | None
    manual: bool

    @property
    def rate(self) -> float | None:
        if self.target in (None, 0) or self.actual is None:
            return None
        return round(self.actual / self.target * 100, 1)


def actual_for(kpi: KpiDefinition, start: dt.date, end: dt.date) -> float | None:
    fn = COMPUTERS.get(kpi.kind)
    if fn is None:
        return None
    lo, hi = period_bounds(start, end)
    return fn(kpi.municipality, lo, hi, kpi.filters or {})


def manual_year_values(municipality, fiscal_year: int) -> dict[int, float]:
    """手入力の実績 of a fiscal year by KPI: the 年間 figure when one was entered, else the sum of the months."""
    yearly, months = {}, {}
    for a in ManualActual.objects.filter(municipality=municipality, fiscal_year=fiscal_year):
        if a.month == ManualActual.YEAR:
            yearly[a.kpi_id] = a.value
        else:
            months[a.kpi_id] = months.get(a.kpi_id, 0) + a.value
    return {**months, **yearly}


def fiscal_year_rows(municipality, fiscal_year: int) -> list[KpiRow]:
    start, end = fiscal_year_range(fiscal_year)
    kpis = list(KpiDefinition.objects.for_municipality(municipality).filter(active=True).select_related("municipality"))
    targets = {t.kpi_id: t for t in KpiTarget.objects.filter(municipality=municipality, fiscal_year=fiscal_year)}
    manual = manual_year_values(municipality, fiscal_year)
    rows = []
    for kpi in kpis:
        computed = None if kpi.kind == "manual" else actual_for(kpi, start, end)
        use_manual = computed is None and kpi.pk in manual
        t = targets.get(kpi.pk)
        rows.append(KpiRow(kpi=kpi, target=t.target if t else None, baseline=t.baseline if t else None,
                           actual=manual[kpi.pk] if use_manual else computed, manual=use_manual))
    return rows


def monthly(kpi: KpiDefinition, fiscal_year: int) -> list[tuple[str, float | None]]:
    """Actuals per month of the fiscal year (4月 … 3月), for trend charts; months still to come are None."""
    from django.utils import timezone

    today = timezone.localdate()
    out = []
    for i in range(12):
        month = (3 + i) % 12 + 1
        year = fiscal_year if month >= 4 else fiscal_year + 1
        start = dt.date(year, month, 1)
        end = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
        out.append((f"{month}月", None if start > today else actual_for(kpi, start, end)))
    return out
