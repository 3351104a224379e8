"""Demo 地域づくり data for 射水市: schedules and monthly usage figures of some places in this fiscal year, and
a 地域課題 under study. Deterministic, run once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_of, fiscal_year_range
from tsunagu.directory.models import District, Staff
from tsunagu.meetings.models import ResourceGap
from tsunagu.privacy.audit import log_action

from . import services
from .models import Place, UsageRecord

SCHEDULES = {"steppi-cafe": "毎週火・木 13:00〜16:00", "chikatsu-ainet-imizu": "平日 9:00〜17:00",
             "kosodate-imizu-shi": "月〜土 9:00〜17:00", "kosodate-ebie": "平日 9:30〜15:00",
             "kosodate-granpa": "火〜日 10:00〜16:00", "chikatsu-tsudoi": "平日 9:00〜16:00"}
# code: (groups, participants, visits per month)
USAGE = {"steppi-cafe": (1, 9, 30), "chikatsu-ainet-imizu": (3, 25, 310), "kosodate-imizu-shi": (6, 140, 820),
         "kosodate-ebie": (2, 40, 210), "kosodate-granpa": (3, 65, 380), "chikatsu-tsudoi": (2, 18, 150)}


def _months(today):
    """The finished months of this fiscal year so far."""
    first, _ = fiscal_year_range(fiscal_year_of(today))
    while True:
        nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if nxt > today:
            return
        yield first, nxt - dt.timedelta(days=1)
        first = nxt


@transaction.atomic
def load_community_demo(municipality) -> int:
    if UsageRecord.objects.filter(municipality=municipality).exists():
        return 0
    staff = Staff.objects.filter(municipality=municipality, roles__kind="community").first()
    if staff is None:
        return 0
    places = {p.code: p for p in Place.objects.for_municipality(municipality).filter(code__in=list(SCHEDULES))}
    for code, schedule in SCHEDULES.items():
        if code in places:
            places[code].schedule = schedule
            places[code].save(update_fields=["schedule"])
    created = 0
    months = list(_months(timezone.localdate()))[-3:]
    for i, (start, end) in enumerate(months):
        for code, (groups, participants, visits) in USAGE.items():
            if code in places:
                services.record_usage(staff, places[code], period_start=start, period_end=end, groups=groups,
                                      participants=participants + i, total_visits=visits + 7 * i)
                created += 1
    oshima = District.objects.for_municipality(municipality).filter(code="oshima").first()
    gap = ResourceGap.objects.create(municipality=municipality, title="大島地区に多世代が集える通いの場が少ない",
                                     description="地区の通いの場は高齢者向けの百歳体操のみ。", district=oshima,
                                     recorded_by=staff)
    log_action("resource_gap.recorded", actor=staff, obj=gap, detail={"source": "demo"})
    services.change_gap_status(staff, gap, status="studying")
    return created
