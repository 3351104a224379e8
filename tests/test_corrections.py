"""Corrections with history (issue 13, point 2).

Expectations from the issue and ACCESS.md: a record is corrected only by the agency that recorded it (G1); every
change keeps the earlier version (who, when, what, why — a reason is required); a conflicting edit is refused
with both versions shown; the history is a diff per version, visible to whoever may see the record and only for
the field classes their grant opens (a DV-hidden address never); a correction of a record that was disclosed
tells the agencies that received it; assessments are versioned like plans; nothing is deleted.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.two_factor import TwoFactorClient
from tsunagu.casework import services as casework
from tsunagu.casework.models import Assessment
from tsunagu.core.errors import DomainError
from tsunagu.intake import services as intake
from tsunagu.people import services as people
from tsunagu.privacy.models import CorrectionNotice, Revision

from .casework_fixtures import escalated_case
from .conftest import agency_named
from .intake_fixtures import record

pytestmark = pytest.mark.django_db


def session(user):
    client = TwoFactorClient()
    client.force_login(user)
    return client


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def person_post(client, person, reason="転居のため", **changes) -> dict:
    """The correction form as opened now (its edit version), with `changes` typed over the stored values."""
    page = client.get(reverse("person_correct", args=[person.pk])).content.decode()
    person.refresh_from_db()
    data = {"edit_version": hidden(page, "edit_version"), "name": person.name, "kana": person.kana,
            "birth_date": person.birth_date.isoformat() if person.birth_date else "", "sex": person.sex,
            "address": person.address, "phone": person.phone, "nationality": person.nationality,
            "language": person.language, "reason": reason}
    if person.address_masked:
        data["address_masked"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def colleague_a(imizu, make_staff):
    """A second 窓口担当 of agency A: the same G1 as intake_a."""
    return make_staff(imizu, "intake_a2", "intake", agency_named(imizu, "新湊西地域包括"), "窓口 A2")


@pytest.fixture
def other_window(imizu, make_staff):
    """A casework role of an agency that received nothing."""
    return make_staff(imizu, "other", "intake", agency_named(imizu, "すてっぷ"), "職員 X")


# ------------------------------------------------------------------------------------------------ versions

def test_a_person_corrected_three_times_shows_every_version(intake_a):
    c = record(intake_a, address="射水市放生津町1番1号")
    person = c.person
    a = session(intake_a)
    url = reverse("person_correct", args=[person.pk])
    for address, reason in [("射水市本町2丁目2番2号", "転居のため（1回目）"), ("射水市本町3丁目3番3号", "番地の聞き誤りの訂正"),
                            ("射水市小島4番4号", "再転居のため")]:
        response = a.post(url, person_post(a, person, reason=reason, address=address))
        assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.address == "射水市小島4番4号"
    revisions = list(Revision.objects.filter(record_type="person", record_id=person.pk).order_by("version"))
    assert [r.version for r in revisions] == [2, 3, 4]
    assert [(r.changes[0]["old"], r.changes[0]["new"]) for r in revisions] == [
        ("射水市放生津町1番1号", "射水市本町2丁目2番2号"), ("射水市本町2丁目2番2号", "射水市本町3丁目3番3号"),
        ("射水市本町3丁目3番3号", "射水市小島4番4号")]
    assert all(r.actor_id == intake_a.pk and r.actor_agency_id == intake_a.agency_id for r in revisions)

    history = a.get(reverse("person_history", args=[person.pk]))
    body = history.content.decode()
    assert history.status_code == 200
    for version, reason in [(2, "転居のため（1回目）"), (3, "番地の聞き誤りの訂正"), (4, "再転居のため")]:
        assert f"第{version}版" in body and reason in body
    assert "第1版" in body
    assert body.count("<th>住所</th>") == 3  # a diff per version, field labelled in Japanese
    assert "射水市放生津町1番1号" in body  # the first version is not lost
    # newest first
    assert body.index("第4版") < body.index("第3版") < body.index("第2版") < body.index("第1版")


def test_a_conflicting_correction_is_refused_with_both_versions(intake_a, colleague_a):
    person = record(intake_a).person
    a, b = session(intake_a), session(colleague_a)
    url = reverse("person_correct", args=[person.pk])
    data_a = person_post(a, person, reason="Aの訂正", phone="0766-11-1111")
    data_b = person_post(b, person, reason="Bの訂正", phone="0766-22-2222")
    assert a.post(url, data_a).status_code == 302
    conflict = b.post(url, data_b)
    body = conflict.content.decode()
    assert conflict.status_code == 409
    assert "0766-11-1111" in body and "0766-22-2222" in body
    person.refresh_from_db()
    assert person.phone == "0766-11-1111"  # A's correction is not overwritten
    assert Revision.objects.filter(record_type="person", record_id=person.pk).count() == 1


def test_a_reason_is_required(intake_a):
    person = record(intake_a).person
    a = session(intake_a)
    response = a.post(reverse("person_correct", args=[person.pk]),
                      person_post(a, person, reason="", address="射水市本町9番9号"))
    assert response.status_code == 400
    assert "訂正の理由を入力してください" in response.content.decode()
    person.refresh_from_db()
    assert person.address == "射水市放生津町1番1号"
    assert not Revision.objects.exists()
    with pytest.raises(DomainError) as exc:
        people.correct_person(intake_a, person, {"name": person.name, "address": "別の住所"}, reason="   ")
    assert exc.value.message == "訂正の理由を入力してください"


def test_only_the_recording_agency_may_correct(intake_a, staff_b, other_window, manager, coordinator):
    c = record(intake_a, consent_agencies=[staff_b.agency])
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="障がいの相談")
    person = c.person
    b = session(staff_b)
    # B sees the person and the consultation (G2) but may not correct them: 403
    assert b.get(reverse("person_detail", args=[person.pk])).status_code == 200
    assert b.get(reverse("person_correct", args=[person.pk])).status_code == 403
    assert b.post(reverse("person_correct", args=[person.pk]), {"name": "書き換え", "reason": "x"}).status_code == 403
    assert b.get(reverse("consultation_correct", args=[c.pk])).status_code == 403
    assert b.post(reverse("consultation_correct", args=[c.pk]),
                  {"chief_complaint": "書き換え", "urgency": "normal", "reason": "x"}).status_code == 403
    # without any grant: the record does not exist (404)
    for user in (other_window, manager, coordinator):
        s = session(user)
        assert s.get(reverse("person_correct", args=[person.pk])).status_code == 404
        assert s.get(reverse("person_history", args=[person.pk])).status_code == 404
        assert s.get(reverse("consultation_correct", args=[c.pk])).status_code == 404
        assert s.get(reverse("consultation_history", args=[c.pk])).status_code == 404
    person.refresh_from_db()
    assert person.name == "高橋 一郎" and not Revision.objects.exists()
    with pytest.raises(PermissionDenied):  # the service refuses too
        people.correct_person(staff_b, person, {"name": "書き換え"}, reason="理由")


# ------------------------------------------------------------------------------------------------ notices

def test_a_corrected_disclosed_consultation_tells_the_receiving_agency(intake_a, staff_b, other_window):
    c = record(intake_a, consent_agencies=[staff_b.agency], sensitive="既往歴あり")
    referral = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="障がいの相談")
    a, b = session(intake_a), session(staff_b)
    url = reverse("consultation_correct", args=[c.pk])
    page = a.get(url).content.decode()
    response = a.post(url, {"edit_version": hidden(page, "edit_version"), "consulter_name": "母",
                            "chief_complaint": "本人は40代（50代は聞き誤り）。母は80代で介護が必要。",
                            "detail": "", "issue_tags": ["8050"], "urgency": "high",
                            "sensitive_categories": ["病歴・健康"], "sensitive_notes": "既往歴あり",
                            "reason": "年齢の聞き誤りの訂正"})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = CorrectionNotice.objects.get()
    assert notice.agency_id == staff_b.agency_id and notice.read_at is None
    # B sees it on 今日やること and in the notice list, with a link to the history of what it may see
    today = b.get(reverse("today")).content.decode()
    assert "訂正のお知らせ（未確認）: 1 件" in today
    notices = b.get(reverse("correction_notices")).content.decode()
    assert f"相談 #{c.pk}" in notices and "主訴" in notices and "緊急度" in notices and intake_a.agency.name in notices
    history = b.get(reverse("consultation_history", args=[c.pk])).content.decode()
    assert "50代の息子が長年ひきこもっている" in history and "本人は40代（50代は聞き誤り）" in history
    assert "年齢の聞き誤りの訂正" in history
    assert b.get(reverse("referral_detail", args=[referral.pk])).status_code == 200
    # marking read clears the count; the notice stays listed
    assert b.post(reverse("correction_notices_read")).status_code == 302
    assert "訂正のお知らせ（未確認）" not in b.get(reverse("today")).content.decode()
    assert f"相談 #{c.pk}" in b.get(reverse("correction_notices")).content.decode()
    # an agency that received nothing is told nothing
    x = session(other_window)
    assert "訂正のお知らせ（未確認）" not in x.get(reverse("today")).content.decode()
    assert f"相談 #{c.pk}" not in x.get(reverse("correction_notices")).content.decode()


def test_a_change_of_a_field_the_receiver_cannot_see_is_neither_notified_nor_shown(intake_a, staff_b):
    c = record(intake_a, consent_agencies=[staff_b.agency], sensitive="精神科に通院中")
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="障がいの相談")
    intake.correct_consultation(intake_a, c, {
        "consulter_name": c.consulter_name, "chief_complaint": c.chief_complaint, "detail": c.detail,
        "issue_tags": c.issue_tags, "urgency": c.urgency, "sensitive_categories": ["病歴・健康"],
        "sensitive_notes": "CANARY-SENS-通院先の訂正"}, reason="CANARY-REASON-要配慮の訂正")
    assert not CorrectionNotice.objects.exists()  # G2 does not open SENSITIVE (ACCESS.md §2)
    body = session(staff_b).get(reverse("consultation_history", args=[c.pk])).content.decode()
    assert "CANARY-SENS" not in body and "精神科に通院中" not in body and "CANARY-REASON" not in body
    assert "要配慮個人情報" not in body
    own = session(intake_a).get(reverse("consultation_history", args=[c.pk])).content.decode()
    assert "CANARY-SENS-通院先の訂正" in own and "精神科に通院中" in own


def test_the_history_never_shows_a_hidden_address(intake_a, staff_b):
    """A DV-masked person referred with consent: B sees the name change, never the address (invariant 6)."""
    c = record(intake_a, consent_agencies=[staff_b.agency], masked=True, address="CANARY-ADDR-旧住所")
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="障がいの相談")
    person = c.person
    a = session(intake_a)
    response = a.post(reverse("person_correct", args=[person.pk]),
                      person_post(a, person, reason="CANARY-WHY-避難先へ転居", address="CANARY-ADDR-避難先",
                                  phone="CANARY-PHONE-新", address_masked="on"))
    assert response.status_code == 302
    a.post(reverse("person_correct", args=[person.pk]),
           person_post(a, person, reason="氏名の字の訂正", name="髙橋 一郎"))
    b = session(staff_b)
    body = b.get(reverse("person_history", args=[person.pk])).content.decode()
    assert "髙橋 一郎" in body and "氏名の字の訂正" in body
    assert "CANARY-ADDR" not in body and "CANARY-PHONE" not in body and "CANARY-WHY" not in body
    notices = b.get(reverse("correction_notices")).content.decode()
    assert "CANARY" not in notices and "氏名" in notices
    assert CorrectionNotice.objects.filter(agency=staff_b.agency).count() == 1  # the address change told no one
    own = a.get(reverse("person_history", args=[person.pk])).content.decode()
    assert "CANARY-ADDR-旧住所" in own and "CANARY-ADDR-避難先" in own and "CANARY-WHY-避難先へ転居" in own


def test_a_statutory_referral_sees_only_the_id_in_the_history(intake_a, staff_b):
    c = record(intake_a)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, statutory_basis="vital")
    person = c.person
    people.correct_person(intake_a, person, {**{f: getattr(person, f) for f in people.PERSON_FIELDS},
                                             "phone": "CANARY-BASIC-電話", "kana": "タカハシ イチロ"},
                          reason="電話番号とフリガナの訂正")
    body = session(staff_b).get(reverse("person_history", args=[person.pk])).content.decode()
    assert "タカハシ イチロ" in body and "CANARY-BASIC" not in body


# ------------------------------------------------------------------------------------------------ assessments

def test_assessments_are_versioned_with_a_reason(intake_a, coordinator):
    case = escalated_case(intake_a, coordinator)
    first = casework.save_assessment(coordinator, case, {"wishes": "家にいたい", "life_history": "高校卒業後に就職"})
    assert first.version == 1
    with pytest.raises(DomainError) as exc:
        casework.save_assessment(coordinator, case, {"wishes": "一人暮らしをしたい"})
    assert exc.value.message == "訂正の理由を入力してください"
    second = casework.save_assessment(coordinator, case, {"wishes": "一人暮らしをしたい",
                                                           "life_history": "高校卒業後に就職"}, reason="再アセスメント")
    assert second.version == 2 and Assessment.objects.filter(case=case).count() == 1
    c = session(coordinator)
    body = c.get(reverse("assessment_history", args=[case.pk])).content.decode()
    assert "第2版" in body and "再アセスメント" in body and "家にいたい" in body and "一人暮らしをしたい" in body
    assert "<th>本人の意向</th>" in body and "生活歴" not in body  # only what changed
    detail = c.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "第2版" in detail
    # the form asks for the reason when a saved assessment is changed
    url = reverse("case_assessment", args=[case.pk])
    page = c.get(url).content.decode()
    response = c.post(url, {"edit_version": hidden(page, "edit_version"), "wishes": "施設も考えたい"})
    assert response.status_code == 400 and "訂正の理由を入力してください" in response.content.decode()
    assert Assessment.objects.get(case=case).wishes == "一人暮らしをしたい"


# ------------------------------------------------------------------------------------------------ plans, notes

def test_a_plan_draft_is_corrected_by_its_coordinator_and_a_note_by_its_agency(intake_a, staff_b, coordinator):
    from .casework_fixtures import plan

    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    draft = plan(coordinator, case, staff_b.agency, [staff_b.agency], goal="母の介護と本人の社会参加を両立する")
    note = casework.add_progress_note(staff_b, case, kind="phone", occurred_at=draft.created_at, text="電話で状況確認")
    k, b = session(coordinator), session(staff_b)
    # the plan draft: the coordinator only (B on the team sees the case: 403)
    url = reverse("plan_correct", args=[case.pk, draft.pk])
    assert b.get(url).status_code == 403
    page = k.get(url).content.decode()
    data = {"edit_version": hidden(page, "edit_version"), "long_term_goal": "本人が週1回通所できる",
            "short_term_goals": draft.short_term_goals, "review_date": draft.review_date.isoformat(),
            "reason": "本人の意向の聞き直し"}
    assert k.post(url, {**data, "reason": ""}).status_code == 400
    assert k.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.long_term_goal == "本人が週1回通所できる" and draft.version == 1  # corrected in place, still 第1版案
    history = b.get(reverse("plan_history", args=[case.pk, draft.pk])).content.decode()
    assert "母の介護と本人の社会参加を両立する" in history and "本人が週1回通所できる" in history
    # the note: the agency that wrote it (B); the coordinator sees it but may not correct it
    url = reverse("note_correct", args=[case.pk, note.pk])
    assert k.get(url).status_code == 403
    page = b.get(url).content.decode()
    response = b.post(url, {"edit_version": hidden(page, "edit_version"), "occurred_at": hidden(page, "occurred_at"),
                            "kind": "visit", "text": "訪問して状況確認", "reason": "種類と内容の誤り"})
    assert response.status_code == 302, response.content.decode()[:1500]
    history = k.get(reverse("note_history", args=[case.pk, note.pk])).content.decode()
    assert "電話で状況確認" in history and "訪問して状況確認" in history and "種類と内容の誤り" in history
    assert "<th>日時</th>" not in history  # the time was not changed: only what changed is a version's diff
    # B was told of the plan correction (the case was shared with its team)
    assert CorrectionNotice.objects.filter(agency=staff_b.agency, revision__record_type="plan").exists()
    notices = b.get(reverse("correction_notices")).content.decode()
    assert "長期目標" in notices and reverse("plan_history", args=[case.pk, draft.pk]) in notices


def test_the_notice_list_costs_the_same_queries_for_more_notices(intake_a, staff_b):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def corrected_referral(i):
        c = record(intake_a, name=f"通知 {i}", consent_agencies=[staff_b.agency])
        intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="相談")
        fields = {f: getattr(c, f) for f in intake.CONSULTATION_CORRECTION_FIELDS}
        intake.correct_consultation(intake_a, c, {**fields, "detail": f"訂正 {i}"}, reason="訂正")

    b = session(staff_b)
    url = reverse("correction_notices")
    counts = []
    for n in (2, 5):
        while CorrectionNotice.objects.count() < n:
            corrected_referral(CorrectionNotice.objects.count())
        b.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            body = b.get(url).content.decode()
        assert body.count("相談 #") == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
