"""R9, the render test: every page of a second city, as each of its staff, shows none of 射水市's words.

The second city (tests/second_city.py) is loaded beside 射水市 with records of every kind built through the
services; every GET route of the URL configuration is fetched with that city's object ids (HTML, CSV and Excel;
PDFs share the templates and the sheets of the Excel forms), and each body is searched for 射水市's name, program,
role titles, meeting names and district and agency names.
"""

from __future__ import annotations

import io
import re
from typing import get_args

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.directory.models import MeetingType
from tsunagu.directory.profile_schema import ROLE_KINDS, MeetingKind
from tsunagu.directory.services import load_profile
from tsunagu.directory.statutes import STATUTES
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings
from tsunagu.outreach import services as outreach
from tsunagu.participation import services as participation
from tsunagu.participation.models import CheckIn, NeedsSheet, Placement

from .canary.routes import url_patterns as routes
from .casework_fixtures import decide, plan
from .conftest import agency_named, parsed_profile
from .intake_fixtures import record
from .second_city import second_city_profile

# Words any city may show: the national vocabulary (kinds of meetings and roles, the statutes' own names).
NATIONAL = set(ROLE_KINDS.values()) | set(get_args(MeetingKind)) | {s.body for s in STATUTES.values()}


def first_city_words() -> set[str]:
    p = parsed_profile("imizu")
    words = {p.name, p.name.removesuffix("市"), p.names.program, p.names.program_formal}
    words |= {r.name for r in p.roles} | {m.name for m in p.meeting_types} | {d.name for d in p.districts}
    words |= {(site or a).name for a, site in p.all_agencies()} | {x.name for x in p.projects}
    return {w for w in words if w not in NATIONAL and len(w) >= 3 or w == p.name.removesuffix("市")}


@pytest.fixture
def city(imizu, make_staff):
    m = load_profile(second_city_profile())
    kyosei = agency_named(m, "共生課")
    staff = {
        "intake": make_staff(m, "k-intake", "intake", agency_named(m, "北部あんしん")),
        "coordinator": make_staff(m, "k-coord", "coordinator", kyosei),
        "outreach": make_staff(m, "k-out", "outreach", kyosei),
        "participation": make_staff(m, "k-sanka", "participation", kyosei),
        "manager": make_staff(m, "k-manager", "manager", kyosei),
        "member": make_staff(m, "k-member", "meeting_member"),
        "admin": make_staff(m, "k-admin", "admin"),
        "liaison": make_staff(m, "k-liaison", "liaison", kyosei),
        "steward": make_staff(m, "k-steward", "steward", kyosei),
    }
    coord, window = staff["coordinator"], staff["intake"]
    c = record(window, consent_all=True, address="架空市北原1番地")
    referral = intake.refer_consultation(window, c, to_agency=agency_named(m, "くらし相談室"), message="家計の相談")
    escalation = intake.escalate_to_multiagency(window, c, message="複合課題")
    case = casework.open_case(coord, referral=escalation)
    casework.add_team_member(coord, case, agency=window.agency, role="介護")
    plan(coord, case, window.agency, [window.agency])
    approving = meetings.schedule_meeting(coord, meeting_type=MeetingType.objects.get(municipality=m, code="tsunagaru"),
                                          title="つながる会議 第1回", scheduled_at=timezone.now())
    meetings.add_member(coord, approving, staff=staff["member"])
    item = meetings.add_agenda_item(coord, approving, purpose="plan", case=case)
    decide(coord, item, decision="approved", note="承認")
    merged = meetings.schedule_meeting(coord, meeting_type=MeetingType.objects.get(municipality=m, code="hitomaru"),
                                       title="ひとまる会議 第1回", scheduled_at=timezone.now())
    meetings.add_member(coord, merged, staff=staff["member"])
    target = outreach.register_target(staff["outreach"], address="架空市南原2番地", source="新聞販売店",
                                      provider="販売店の配達員", noticed="新聞がたまっている", legal_basis="vital",
                                      found_on=timezone.localdate(), name="見守 太郎")
    outreach.put_on_agenda(staff["outreach"], target, merged)
    resource = participation.create_resource(staff["participation"], name="北原の居場所", kind="居場所", host="法人甲",
                                             contact="000-000-0002", needs=["居場所"], days=["火"], capacity=5, cost=0)
    today = timezone.localdate()
    NeedsSheet.objects.create(municipality=m, person=c.person, needs=["居場所"], updated_by=staff["participation"])
    placement = Placement.objects.create(municipality=m, person=c.person, resource=resource,
                                         agency=kyosei, status=Placement.STARTED, proposed_on=today,
                                         started_on=today, created_by=staff["participation"])
    checkin = CheckIn.objects.create(municipality=m, placement=placement, due_on=today)
    governance = meetings.schedule_meeting(coord, meeting_type=MeetingType.objects.get(municipality=m, code="suishin"),
                                           title="共生推進会議", scheduled_at=timezone.now())
    from tsunagu.community.models import Place

    ids = {"consultation_id": c.pk, "referral_id": referral.pk, "person_id": c.person_id, "case_id": case.pk,
           "meeting_id": approving.pk, "agency_id": window.agency_id, "target_id": target.pk,
           "resource_id": resource.pk, "placement_id": placement.pk, "checkin_id": checkin.pk,
           "place_id": Place.objects.get(municipality=m, code="salon-kita").pk, "consent_id": c.consents.first().pk,
           "member_id": 0, "item_id": item.pk, "action_id": 0, "follow_up_id": 0, "candidate_id": 0, "link_id": 0,
           "gap_id": 0, "token_id": 0, "notice_id": 0, "job_id": 0, "attachment_id": 0, "run_id": 0, "household_id": 0, "plan_id": 0, "note_id": 0, "release_id": 0, "access_id": 0, "staff_id": window.pk, "action": "unlock", "fmt": "xlsx",
           "form": "plan", "name": "kpis"}
    return m, staff, ids, governance


def text_of(response) -> str:
    kind = response.get("Content-Type", "")
    if "spreadsheet" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        return " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    if "pdf" in kind:
        return ""
    return response.content.decode("utf-8", errors="replace")


def test_no_page_of_the_second_city_shows_the_first_citys_words(client, city):
    m, staff, ids, governance = city
    words = first_city_words()
    assert {"射水市", "射水", "アウトリーチ支援専門員", "相談支援包括化推進員", "共生社会推進会議（重層的支援体制整備事業全体会議）",
            "あいネットいみず"} <= words
    pattern = re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))
    fetched, found = 0, []
    for pattern_ in routes():
        values = dict(ids)
        if pattern_.name == "governance_meeting":
            values["meeting_id"] = governance.pk
        try:
            url = reverse(pattern_.name, kwargs={k: values[k] for k in pattern_.pattern.converters})
        except KeyError as exc:
            raise AssertionError(f"{pattern_.name}: no id for {exc}") from None
        for role, user in staff.items():
            client.force_login(user)
            response = client.get(url)
            fetched += 1
            for match in pattern.finditer(text_of(response)):
                found.append(f"{pattern_.name} as {role}: {match.group()}")
    print(f"second city: {fetched} pages fetched")
    assert fetched >= 8 * 60
    found = sorted(set(found))
    assert found == [], "\n".join(found)


def test_the_second_city_reads_its_own_names(client, city):
    m, staff, ids, _ = city
    client.force_login(staff["coordinator"])
    case_page = client.get(f"/cases/{ids['case_id']}/").content.decode()
    # Both its approving meetings: the 重層的支援会議-kind one and the merged one.
    assert "つながる会議・ひとまる会議で承認されると終結します" in case_page and "重層的支援会議で承認" not in case_page
    client.force_login(staff["intake"])
    forbidden = client.get("/outreach/new/")
    assert forbidden.status_code == 403 and "とどける支援員だけが使えます" in forbidden.content.decode()
    client.force_login(staff["outreach"])
    assert "新聞販売店" in client.get("/outreach/new/").content.decode()
    client.force_login(staff["member"])
    merged = MeetingType.objects.get(municipality=m, code="hitomaru")
    page = client.get(f"/meetings/{ids['meeting_id']}/").content.decode()
    assert "架空市つながる会議設置要綱による守秘義務" in page
    from tsunagu.meetings.models import Meeting

    merged_meeting = Meeting.objects.get(meeting_type=merged)
    assert "社会福祉法第106条の6第5項による守秘義務" in client.get(f"/meetings/{merged_meeting.pk}/").content.decode()
    client.force_login(staff["manager"])
    org = client.get("/directory/organisation/").content.decode()
    assert "令和7年度〜令和9年度" in org and "架空市共生推進会議" in org and "2法人: 法人甲、法人乙" in org
    assert "生活支援体制整備事業" in org and "事業は機関ではないため、つなぎ先には表示されません" in org
