"""The map-free district view: for each 地区, the places by kind, their usage in the fiscal year, the
participation resources there and the open 地域課題. Aggregates only — no personal data."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from tsunagu.core.wareki import fiscal_year_of, fiscal_year_range
from tsunagu.directory.models import District
from tsunagu.meetings.models import ResourceGap

from .models import Place, UsageRecord


@dataclass
class DistrictRow:
    district: District | None
    places_by_kind: dict = field(default_factory=dict)
    resources: list = field(default_factory=list)
    gaps: list = field(default_factory=list)
    total_visits: int = 0
    participants: int = 0

    @property
    def place_count(self) -> int:
        return sum(len(v) for v in self.places_by_kind.values())


def district_rows(municipality, day) -> list[DistrictRow]:
    from tsunagu.participation.models import Resource

    start, end = fiscal_year_range(fiscal_year_of(day))
    rows: dict = {d.pk: DistrictRow(d) for d in District.objects.for_municipality(municipality).filter(active=True)}
    unassigned = DistrictRow(None)

    def row(district_id):
        return rows.get(district_id, unassigned)

    grouped = defaultdict(lambda: defaultdict(list))
    for p in Place.objects.for_municipality(municipality).filter(active=True).order_by("kind", "sort_order"):
        grouped[p.district_id][p.kind].append(p)
    for district_id, kinds in grouped.items():
        row(district_id).places_by_kind = dict(kinds)
    usage = (UsageRecord.objects.for_municipality(municipality)
             .filter(period_start__gte=start, period_start__lte=end)
             .values("place__district_id").annotate(visits=Sum("total_visits"), people=Sum("participants")))
    for u in usage:
        r = row(u["place__district_id"])
        r.total_visits += u["visits"] or 0
        r.participants += u["people"] or 0
    for res in Resource.objects.for_municipality(municipality).filter(active=True):
        row(res.district_id).resources.append(res)
    for gap in (ResourceGap.objects.for_municipality(municipality).exclude(status="developed")
                .order_by("created_at")):
        row(gap.district_id).gaps.append(gap)
    out = list(rows.values())
    if unassigned.place_count or unassigned.resources or unassigned.gaps:
        out.append(unassigned)
    return out
