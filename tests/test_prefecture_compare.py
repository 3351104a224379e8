"""The prefecture compares its municipalities row by row on the common indicator set (issue 15), and keeps its
own work: 支援者支援 that can be completed, surveys of several questions, and its own meetings."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.models import MeetingType, PrefectureMember
from tsunagu.directory.profile_schema import MemberMunicipality
from tsunagu.directory.services import load_profile
from tsunagu.evaluation.indicators import INDICATORS
from tsunagu.evaluation.models import PrefectureStat
from tsunagu.evaluation.prefecture import export_stats, import_stats

from .casework_fixtures import escalated_case
from .conftest import agency_named, parsed_profile

pytestmark = pytest.mark.django_db


def cases(municipality, make_staff, window_agency, coord_agency, n, prefix):
    window = make_staff(municipality, f"{prefix}-w", "intake", agency_named(municipality, window_agency))
    coord = make_staff(municipality, f"{prefix}-c", "coordinator", agency_named(municipality, coord_agency))
    for _ in range(n):
        escalated_case(window, coord)


def test_a_prefecture_table_compares_three_cities_on_the_common_indicators(client, make_staff):
    imizu = load_profile(parsed_profile("imizu"))
    fussa = load_profile(parsed_profile("fussa"))
    ichikawa = load_profile(parsed_profile("ichikawa"))
    # A prefecture whose members are the three shipped cities (their own KPI codes all differ).
    shiga = parsed_profile("shiga")
    pref = load_profile(shiga.model_copy(update={"municipalities": [
        MemberMunicipality(name=m.name, code=m.code) for m in (imizu, fussa, ichikawa)]}))
    cases(imizu, make_staff, "新湊西地域包括", "地域福祉課", 3, "im")
    cases(ichikawa, make_staff, "高齢者サポートセンター国府台", "多機関協働事業", 4, "ic")
    year = fiscal_year_of(timezone.localdate())
    files = {m.name: json.loads(export_stats(m, year)) for m in (imizu, fussa, ichikawa)}
    for data in files.values():
        assert data["format"] == "tsunagu-stats/2"
        assert [i["code"] for i in data["indicators"]] == list(INDICATORS)  # same rows, same order
        import_stats(pref, json.dumps(data, ensure_ascii=False).encode())
    by = {(s.member.name, s.code): s for s in PrefectureStat.objects.filter(municipality=pref, scope="common")}
    assert len(by) == 3 * len(INDICATORS)
    assert [by[(name, "takikan_uketsuke")].display for name in ("射水市", "福生市", "市川市")] == ["3", "0", "4"]
    # Where a city maps its own KPI, the export says which; otherwise the standard definition is used.
    imizu_src = {i["code"]: i["source"] for i in files["射水市"]["indicators"]}
    assert imizu_src["takikan_uketsuke"] == "kpi:tak-soudan-uketsuke" and imizu_src["shuketsu"] == "standard"
    ichikawa_src = {i["code"]: i["source"] for i in files["市川市"]["indicators"]}
    assert ichikawa_src["takikan_uketsuke"] == "kpi:multiagency-cases" and ichikawa_src["plan_sakusei"] == "standard"
    # The page: one row per common indicator, one column per city, then each city's own KPIs.
    user = make_staff(pref, "pref-user", "prefecture")
    client.force_login(user)
    body = client.get("/prefecture/", {"fy": year}).content.decode()
    table = body[body.index("共通指標"):body.index("市町村独自の指標")]
    for ind in INDICATORS.values():
        assert ind.name in table
    for name in ("射水市", "福生市", "市川市"):
        assert name in table
    assert table.count("<tr>") == 1 + len(INDICATORS)


def test_a_version_1_file_still_imports(shiga, imizu):
    data = json.loads(export_stats(imizu, 2025))
    data.pop("indicators")
    data["format"] = "tsunagu-stats/1"
    data["municipality"] = {"name": "長浜市"}
    member, count = import_stats(shiga, json.dumps(data).encode())
    assert count == len(data["figures"]) and not PrefectureStat.objects.filter(scope="common").exists()


def test_import_refuses_an_unknown_indicator(shiga, imizu):
    from tsunagu.core.errors import DomainError

    data = json.loads(export_stats(imizu, 2025))
    data["municipality"] = {"name": "長浜市"}
    data["indicators"][0]["code"] = "my_own"
    with pytest.raises(DomainError, match=r"indicators\[0\]\.code: 共通指標 'my_own' はありません"):
        import_stats(shiga, json.dumps(data).encode())


@pytest.fixture
def pref_user(shiga, make_staff):
    return make_staff(shiga, "shiga-user", "prefecture")


def test_supporter_consultation_can_be_completed(client, shiga, pref_user):
    from tsunagu.evaluation.models import SupporterConsultation

    nagahama = PrefectureMember.objects.get(municipality=shiga, name="長浜市")
    client.force_login(pref_user)
    client.post("/prefecture/activities/", {"form": "supporter", "member": nagahama.pk, "received_on": "2026-10-01",
                                            "topic": "会議の構成員の選び方"})
    row = SupporterConsultation.objects.get()
    assert row.get_status_display() == "対応中"
    bad = client.post("/prefecture/activities/", {"form": "supporter_done", "consultation": row.pk,
                                                  "completed_on": "2026-10-05", "response": ""})
    assert bad.status_code == 400 and "完了にするには助言・対応を入力してください" in bad.content.decode()
    assert client.post("/prefecture/activities/", {"form": "supporter_done", "consultation": row.pk,
                                                   "completed_on": "2026-10-05",
                                                   "response": "要綱の例を送付"}).status_code == 302
    row.refresh_from_db()
    assert row.get_status_display() == "完了" and row.response == "要綱の例を送付"
    assert "完了" in client.get("/prefecture/activities/").content.decode()


def test_a_survey_has_several_questions(client, shiga, pref_user):
    from tsunagu.evaluation.models import SurveyQuestion, SurveyResult

    nagahama = PrefectureMember.objects.get(municipality=shiga, name="長浜市")
    client.force_login(pref_user)
    assert client.post("/prefecture/activities/", {
        "form": "survey", "title": "体制の実態調査", "fiscal_year": 2026,
        "questions": "多機関協働の担当者数\n支援会議の開催回数\n\n課題"}).status_code == 302
    questions = list(SurveyQuestion.objects.order_by("number"))
    assert [(q.number, q.text) for q in questions] == [(1, "多機関協働の担当者数"), (2, "支援会議の開催回数"), (3, "課題")]
    for q, value in zip(questions[:2], (3, 12), strict=True):
        client.post("/prefecture/activities/", {"form": "result", "question": q.pk, "member": nagahama.pk,
                                                "value": value})
    assert sorted(SurveyResult.objects.values_list("question__number", "value")) == [(1, 3.0), (2, 12.0)]
    body = client.get("/prefecture/activities/").content.decode()
    assert "問1. 多機関協働の担当者数" in body and "問3. 課題" in body


def test_the_prefecture_schedules_its_own_meeting(client, shiga, pref_user):
    from tsunagu.meetings.models import Meeting

    kind = MeetingType.objects.get(municipality=shiga, code="shicho-chiiki-kyosei-tantosha-kaigi")
    client.force_login(pref_user)
    response = client.post("/prefecture/activities/", {"form": "meeting", "meeting_type": kind.pk,
                                                       "title": "第1回 市町地域共生担当者会議",
                                                       "scheduled_at": "2026-06-10T14:00", "place": "県庁"})
    assert response.status_code == 302
    meeting = Meeting.objects.get(municipality=shiga)
    assert meeting.convened_by == pref_user
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert "第1回 市町地域共生担当者会議" in client.get("/prefecture/activities/").content.decode()
