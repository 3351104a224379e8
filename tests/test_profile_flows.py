"""Every shipped profile carries the core flow through the services alone (issue 15): one consultation →
referral → case → plan approved at the city's own approving meeting → KPI report. The staff are chosen from the
profile (its role kinds and their agencies), so a new profile is exercised the same way without new code."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.models import Agency, Role
from tsunagu.directory.names import approving_meeting_types
from tsunagu.directory.services import load_profile
from tsunagu.evaluation import report
from tsunagu.evaluation.prefecture import export_stats, import_stats
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings

from .casework_fixtures import decide, plan
from .conftest import PROFILES, parsed_profile
from .intake_fixtures import record

MUNICIPALITIES = sorted(p.stem for p in PROFILES.glob("*.yaml") if parsed_profile(p.stem).kind == "municipality")
PREFECTURES = sorted(p.stem for p in PROFILES.glob("*.yaml") if parsed_profile(p.stem).kind == "prefecture")


def agencies_of(m, kind: str) -> list[Agency]:
    out = []
    for role in Role.objects.filter(municipality=m, kind=kind, active=True).prefetch_related("agencies"):
        out.extend(a for a in role.agencies.all() if a.active)
    return out


def test_every_shipped_profile_is_exercised():
    assert {"imizu", "fussa", "ichikawa"} <= set(MUNICIPALITIES) and "shiga" in PREFECTURES


@pytest.mark.parametrize("name", MUNICIPALITIES)
def test_consultation_to_approved_plan_to_kpi_report(name, db, make_staff):
    m = load_profile(parsed_profile(name))
    windows = [a for a in agencies_of(m, "intake") if "包括的相談支援" in a.kinds and "多機関協働" not in a.kinds]
    assert len(windows) >= 2, "the profile needs two intake agencies for a referral"
    window = make_staff(m, f"{name}-window", "intake", windows[0])
    receiver = make_staff(m, f"{name}-receiver", "intake", windows[1])
    coord = make_staff(m, f"{name}-coord", "coordinator", agencies_of(m, "coordinator")[0])
    manager = make_staff(m, f"{name}-manager", "manager", (agencies_of(m, "manager") or [None])[0])

    c = record(window, consent_all=True, address=f"{m.name}本町1番地")
    referral = intake.refer_consultation(window, c, to_agency=receiver.agency, message="家計の相談もある")
    intake.accept_referral(receiver, referral, note="受けました")
    case = casework.open_case(coord, referral=intake.escalate_to_multiagency(window, c, message="複合課題"))
    casework.add_team_member(coord, case, agency=window.agency, role="見守り")
    casework.add_team_member(coord, case, agency=receiver.agency, role="家計")
    draft = plan(coord, case, window.agency, [window.agency, receiver.agency])
    meeting_type = approving_meeting_types(m).first()
    assert meeting_type is not None, "the profile needs a meeting that approves plans"
    meeting = meetings.schedule_meeting(coord, meeting_type=meeting_type, title=meeting_type.name,
                                        scheduled_at=timezone.now())
    item = meetings.add_agenda_item(coord, meeting, purpose="plan", case=case,
                                    legal_basis="consent" if meeting.per_item_basis else "")
    decide(coord, item, decision="approved", note="承認")
    meetings.save_minutes(coord, meeting, minutes="プランを承認した")
    draft.refresh_from_db()
    case.refresh_from_db()
    assert draft.status == "approved" and case.status == "supporting" and case.lead_agency == window.agency

    year = fiscal_year_of(timezone.localdate())
    rows = report.kpi_json(m, year)
    assert rows, "the profile defines KPIs"
    kinds = {r.kpi.code: r.kpi.kind for r in report.fiscal_year_rows(m, year)}
    by_kind = {}
    for row in rows:
        by_kind.setdefault(kinds[row["code"]], []).append(row)
    for row in by_kind.get("multiagency_cases", []):
        assert row["actual"] == 1
    for row in by_kind.get("plans_created", []):
        assert row["actual"] == 1
    for row in by_kind.get("jusoteki_meetings_held", []):
        assert row["actual"] == 1
    xlsx = report.render(m, year, "xlsx")
    assert xlsx[:2] == b"PK"
    indicators = {i["code"]: i["value"] for i in json.loads(export_stats(m, year, actor=manager))["indicators"]}
    # One case, one plan, one meeting: all under 3, so suppressed in what leaves the city.
    assert indicators["takikan_uketsuke"] == indicators["plan_sakusei"] == indicators["jusoteki_kaigi"] == "<3"


@pytest.mark.parametrize("name", PREFECTURES)
def test_a_prefecture_profile_takes_its_members_files(name, db, imizu):
    pref = load_profile(parsed_profile(name))
    member = parsed_profile(name).municipalities[0]
    data = json.loads(export_stats(imizu, 2025))
    data["municipality"] = {"name": member.name, "code": member.code}
    got, count = import_stats(pref, json.dumps(data, ensure_ascii=False).encode())
    assert got.name == member.name and count == len(data["figures"])
