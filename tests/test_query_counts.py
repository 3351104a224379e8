"""Query-count guards (issue 18): a detail page, home and today ask the database the same number of times whatever
the amount of data behind them — measured at two data sizes, as the roles that use each page.

One "unit" is a resident's consultation at agency A, referred to agency B, escalated to a case with B on the team
and a plan, on the agenda of one 重層的支援会議 where B is a member; and one more consultation and progress note
for the resident the detail pages show. The pages are measured with 2 units and again with 6.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.two_factor import TwoFactorClient
from tsunagu.casework import services as casework
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import AgendaItem

from .casework_fixtures import jusou_meeting, meeting_type, plan
from .intake_fixtures import record

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, intake_a, staff_b, coordinator, imizu):
        self.a, self.b, self.coord = intake_a, staff_b, coordinator
        self.meeting = jusou_meeting(coordinator, imizu, members=[staff_b])
        # A 支援会議 (法106条の6: items without consent, members bound by the duty of confidentiality).
        self.shien = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "支援会議"),
                                               title="第1回 支援会議", scheduled_at=timezone.now())
        meetings.add_member(coordinator, self.shien, staff=staff_b)
        for m in (self.meeting, self.shien):
            meetings.acknowledge_confidentiality(staff_b, m.members.get(staff=staff_b))
        self.units = 0
        self.base = self.unit()

    def unit(self):
        i = self.units
        self.units += 1
        c = record(self.a, name=f"件数 {i}郎", kana=f"ケンスウ {i}", consent_all=True)
        referral = intake.refer_consultation(self.a, c, to_agency=self.b.agency, message="つなぎ")
        case = casework.open_case(self.coord, referral=intake.escalate_to_multiagency(self.a, c, message="多機関で"))
        casework.add_team_member(self.coord, case, agency=self.b.agency, role="障害福祉")
        plan(self.coord, case, self.b.agency, [self.b.agency, self.coord.agency])
        meetings.add_agenda_item(self.coord, self.meeting, purpose="plan", case=case)
        meetings.add_agenda_item(self.coord, self.shien, purpose=AgendaItem.INFO_SHARING, case=case)
        return {"consultation": c, "referral": referral, "case": case}

    def grow(self, units: int):
        base = self.base
        while self.units < units:
            self.unit()
            # The resident of the detail pages comes back, and the case gets another note.
            record(self.a, person=base["consultation"].person)
            casework.add_progress_note(self.coord, base["case"], kind="visit", occurred_at=timezone.now(),
                                       text=f"訪問 {self.units}")

    def pages(self) -> list[tuple[str, object, str]]:
        base = self.base
        person = reverse("person_detail", args=[base["consultation"].person_id])
        return [
            ("person as A", self.a, person),
            ("person as coordinator", self.coord, person),
            ("consultation as A", self.a, reverse("consultation_detail", args=[base["consultation"].pk])),
            ("case as coordinator", self.coord, reverse("case_detail", args=[base["case"].pk])),
            ("case as B (team)", self.b, reverse("case_detail", args=[base["case"].pk])),
            ("referral as B", self.b, reverse("referral_detail", args=[base["referral"].pk])),
            ("referral as A", self.a, reverse("referral_detail", args=[base["referral"].pk])),
            ("meeting as organiser", self.coord, reverse("meeting_detail", args=[self.meeting.pk])),
            ("meeting as member B", self.b, reverse("meeting_detail", args=[self.meeting.pk])),
            ("meeting (支援会議) as organiser", self.coord, reverse("meeting_detail", args=[self.shien.pk])),
            ("meeting (支援会議) as member B", self.b, reverse("meeting_detail", args=[self.shien.pk])),
            ("home as A", self.a, reverse("home")),
            ("home as B", self.b, reverse("home")),
            ("home as coordinator", self.coord, reverse("home")),
            ("today as A", self.a, reverse("today")),
            ("today as B", self.b, reverse("today")),
            ("today as coordinator", self.coord, reverse("today")),
        ]


def measure(world: World) -> dict[str, int]:
    clients = {}
    out = {}
    for name, user, url in world.pages():
        if user.pk not in clients:
            clients[user.pk] = TwoFactorClient()
            clients[user.pk].force_login(user)
        client = clients[user.pk]
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        out[name] = len(ctx)
    return out


def test_detail_pages_home_and_today_do_not_query_more_with_more_data(imizu, intake_a, staff_b, coordinator):
    world = World(intake_a, staff_b, coordinator, imizu)
    world.grow(2)
    small = measure(world)
    world.grow(6)
    large = measure(world)
    grown = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grown, grown


def test_the_meeting_page_queries_do_not_grow_with_its_items(imizu, intake_a, staff_b, coordinator):
    """More precisely for the page that grew most (issue 18: 377 queries for 358 items)."""
    world = World(intake_a, staff_b, coordinator, imizu)
    meeting_pages = [p for p in world.pages() if p[0].startswith("meeting")]
    world.pages = lambda: meeting_pages
    world.grow(2)
    small = measure(world)
    world.grow(10)
    assert world.meeting.items.count() == 10
    assert measure(world) == small
