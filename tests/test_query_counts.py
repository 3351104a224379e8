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


# ------------------------------------------------------------------------------------------------ bounded pages

def _client(user):
    client = TwoFactorClient()
    client.force_login(user)
    return client


def test_today_lists_at_most_twenty_and_says_how_many_there_are(intake_a, staff_b):
    for i in range(23):
        c = record(intake_a, name=f"待ち {i}郎", kana=f"マチ {i}", consent_all=True)
        intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="つなぎ")
    html = _client(staff_b).get(reverse("today")).content.decode()
    assert "回答待ちのつなぎ（23）" in html
    section = html.split("回答待ちのつなぎ")[1].split("</section>")[0]
    assert section.count("<li>") == 20
    assert "古い順に 20 件を表示しています（全 23 件）" in section
    home = _client(staff_b).get(reverse("home")).content.decode()
    assert "回答待ちのつなぎ: 23 件" in home


def test_a_follow_up_covered_by_a_later_one_drops_off_today(intake_a, coordinator):
    from tsunagu.casework.models import FollowUp
    from tsunagu.casework.today import today_for

    from .casework_fixtures import escalated_case

    case = escalated_case(intake_a, coordinator)
    today = timezone.localdate()
    missed = FollowUp.objects.create(municipality_id=case.municipality_id, case=case, agency=coordinator.agency,
                                     due_date=today - timezone.timedelta(days=90))
    later = FollowUp.objects.create(municipality_id=case.municipality_id, case=case, agency=coordinator.agency,
                                    due_date=today - timezone.timedelta(days=1))
    assert [f.pk for f in today_for(coordinator)["follow_ups"]] == [missed.pk, later.pk]
    casework.record_follow_up(coordinator, later, note="訪問して様子を確認")
    work = today_for(coordinator)
    assert work["follow_ups"] == [] and work["totals"]["follow_ups"] == 0


def test_the_person_page_shows_the_history_a_page_at_a_time(intake_a):
    first = record(intake_a, name="経過 長子", kana="ケイカ ナガコ")
    for _ in range(24):
        record(intake_a, person=first.person)
    client = _client(intake_a)
    url = reverse("person_detail", args=[first.person_id])
    page1 = client.get(url).content.decode()
    timeline = page1.split('<ul class="timeline">')[1].split("</ul>")[0]
    assert timeline.count("<li>") == 20 and "古い経過 →" in page1
    page2 = client.get(url + "?page=2").content.decode()
    timeline2 = page2.split('<ul class="timeline">')[1].split("</ul>")[0]
    assert timeline2.count("<li>") == 5 and "← 新しい経過" in page2 and "古い経過 →" not in page2
    assert reverse("consultation_detail", args=[first.pk]) in timeline2  # the oldest comes last
    assert client.get(url + "?page=abc").status_code == 200


def test_the_organiser_puts_a_case_on_the_agenda_by_its_number(imizu, intake_a, coordinator):
    from .casework_fixtures import escalated_case

    meeting = jusou_meeting(coordinator, imizu)
    cases = [escalated_case(intake_a, coordinator) for _ in range(22)]
    client = _client(coordinator)
    html = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    datalist = html.split('<datalist id="item-cases">')[1].split("</datalist>")[0]
    assert datalist.count("<option") == 20 and f'value="{cases[-1].pk}"' in datalist  # the newest 20
    url = reverse("meeting_item_add", args=[meeting.pk])
    bad = client.post(url, {"purpose": AgendaItem.INFO_SHARING, "case": "999999"})
    assert bad.status_code == 400
    assert "事例番号 999999 の対応中の事例" in bad.content.decode()
    assert client.post(url, {"purpose": AgendaItem.INFO_SHARING, "case": "abc"}).status_code == 400
    ok = client.post(url, {"purpose": AgendaItem.INFO_SHARING, "case": str(cases[0].pk)})  # older than the 20
    assert ok.status_code == 302
    assert meeting.items.get().case_id == cases[0].pk


def test_the_badge_counts_are_one_query_per_request(intake_a, staff_b):
    """The menu and the inbox page both show the waiting referrals: counted once, in one query."""
    c = record(intake_a, name="数え 一郎", kana="カゾエ イチロウ", consent_all=True)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="つなぎ")
    client = _client(staff_b)
    for url in (reverse("referral_inbox"), reverse("today"), reverse("home")):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        badge = [q["sql"] for q in ctx.captured_queries if "COUNT(DISTINCT" in q["sql"].upper()
                 and "intake_referral" in q["sql"]]
        assert len(badge) == 1, (url, badge)
        assert 'title="回答待ち">1</span>' in html
