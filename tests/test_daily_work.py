"""Issue 13, points 1 and 3: the receiver's work after 受理, and meetings as they are held.

Expectations come from SPEC.md (R5 断らない, the flow §2.2/§2.4–5), ACCESS.md (G1 on what an agency writes, G2/G3
of a referral, invariant 1 and 2, masking) and the issue text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.core.errors import DomainError
from tsunagu.intake import services as intake
from tsunagu.intake.models import Consultation, ConsultationNote
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.privacy.models import AuditEvent
from tsunagu.privacy.services import withdraw_consent

from .casework_fixtures import escalated_case, hold, jusou_meeting, meeting_type, plan
from .conftest import agency_named
from .intake_fixtures import record

pytestmark = pytest.mark.django_db

ADDRESS = "射水市放生津町1番1号"


def accepted(sender, receiver, *, consent=True, masked=False, sensitive="母は認知症の診断あり"):
    c = record(sender, name="受理 太郎", consent_all=consent, masked=masked, sensitive=sensitive)
    Consultation.objects.filter(pk=c.pk).update(detail="窓口Aだけが聞いた詳しい事情")
    r = intake.refer_consultation(sender, c, to_agency=receiver.agency, message="支援をお願いします",
                                  statutory_basis="" if consent else "vital")
    intake.accept_referral(receiver, r, note="担当を決めました")
    return c, r, Consultation.objects.get(source_referral=r)


def page(client, user, name, *args):
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    return response.status_code, response.content.decode()


# ------------------------------------------------------------------------------------------ 1. the receiver's work

def test_accepting_gives_the_receiver_its_own_record_and_copies_nothing_the_sender_wrote(intake_a, staff_b):
    source, referral, own = accepted(intake_a, staff_b)
    assert own.agency == staff_b.agency and own.received_by == staff_b and own.source_referral == referral
    assert own.person_id == source.person_id  # the same person, seen through the referral's grant
    assert own.status == "open" and not own.is_closed
    # Invariant 1: nothing of what the sending agency recorded becomes the receiver's (G1) record.
    assert own.detail == "" and own.sensitive_notes == "" and own.sensitive_categories == []
    assert own.chief_complaint != source.chief_complaint and own.household_id is None
    assert own.issue_tags == source.issue_tags and own.urgency == source.urgency
    assert AuditEvent.objects.filter(action="consultation.taken_on", object_id=str(own.pk)).exists()
    assert Consultation.objects.filter(source_referral=referral).count() == 1


def test_a_consented_receiver_sees_basic_but_never_sensitive_on_its_record(intake_a, staff_b, client):
    _, _, own = accepted(intake_a, staff_b)
    status, body = page(client, staff_b, "consultation_detail", own.pk)
    assert status == 200
    assert "受理 太郎" in body and ADDRESS in body  # G2: ID + BASIC
    assert "母は認知症の診断あり" not in body and "窓口Aだけが聞いた詳しい事情" not in body
    assert "支援経過を記録する" in body  # G1 on its own record: it can write


def test_a_statutory_receiver_sees_only_the_minimum(intake_a, staff_b, client):
    _, _, own = accepted(intake_a, staff_b, consent=False)
    status, body = page(client, staff_b, "consultation_detail", own.pk)
    assert status == 200 and "受理 太郎" in body  # G3: ID
    assert ADDRESS not in body and "0766-00-0000" not in body and "母は認知症の診断あり" not in body
    assert not own.with_consent


def test_a_masked_address_never_reaches_the_receivers_record(intake_a, staff_b, client):
    _, _, own = accepted(intake_a, staff_b, masked=True)
    status, body = page(client, staff_b, "consultation_detail", own.pk)
    assert status == 200 and "受理 太郎" in body and ADDRESS not in body and "秘匿" in body
    for fmt in ("xlsx",):
        client.force_login(staff_b)
        export = client.get(reverse("consultation_export", args=[own.pk, fmt]))
        assert export.status_code == 200 and ADDRESS.encode() not in export.content


def test_the_receiver_records_progress_refers_on_escalates_and_closes_with_a_next_step(intake_a, staff_b,
                                                                                     coordinator, imizu):
    _, _, own = accepted(intake_a, staff_b)
    note = intake.add_consultation_note(staff_b, own, kind="visit", occurred_at=timezone.now(),
                                        text="自宅を訪問し、本人と話せた")
    assert note.agency == staff_b.agency and ConsultationNote.objects.filter(consultation=own).count() == 1
    with pytest.raises(DomainError, match="内容"):
        intake.add_consultation_note(staff_b, own, kind="visit", occurred_at=timezone.now(), text=" ")
    with pytest.raises(DomainError, match="未来"):
        intake.add_consultation_note(staff_b, own, kind="visit", occurred_at=timezone.now() + dt.timedelta(days=1),
                                     text="x")
    with pytest.raises(PermissionDenied):  # the sending agency does not write on the receiver's record
        intake.add_consultation_note(intake_a, own, kind="visit", occurred_at=timezone.now(), text="x")
    # Refer on (the same service as the first window), under the person's consent.
    onward = intake.refer_consultation(staff_b, own, to_agency=agency_named(imizu, "すてっぷ"), message="就労の相談")
    assert onward.from_agency == staff_b.agency and onward.basis == "consent"
    # Hand to 多機関協働.
    escalation = intake.escalate_to_multiagency(staff_b, own, message="複合課題")
    case = casework.open_case(coordinator, referral=escalation)
    assert case.consultation == own and case.person_id == own.person_id
    # R5: no close without a next step, nor while a referral awaits an answer.
    with pytest.raises(DomainError, match="次の一歩"):
        intake.close_consultation(staff_b, own, outcome="refer", next_step="")
    with pytest.raises(DomainError, match="回答待ち"):
        intake.close_consultation(staff_b, own, outcome="refer", next_step="すてっぷにつないだ")


def test_the_receiver_closes_with_a_next_step(intake_a, staff_b):
    _, _, own = accepted(intake_a, staff_b)
    with pytest.raises(DomainError, match="次の一歩"):
        intake.close_consultation(staff_b, own, outcome="self", next_step=" ")
    intake.close_consultation(staff_b, own, outcome="self", next_step="月1回の電話で見守る")
    own.refresh_from_db()
    assert own.is_closed and own.next_step == "月1回の電話で見守る" and own.closed_by == staff_b


def test_the_senders_staff_cannot_open_the_receivers_record(intake_a, staff_b, client):
    _, _, own = accepted(intake_a, staff_b)
    intake.add_consultation_note(staff_b, own, kind="phone", occurred_at=timezone.now(), text="Bの経過メモ")
    status, body = page(client, intake_a, "consultation_detail", own.pk)
    assert status == 404 and "Bの経過メモ" not in body


def test_after_withdrawal_the_receiver_keeps_its_record_but_not_the_person(intake_a, staff_b, client):
    source, _, own = accepted(intake_a, staff_b)
    intake.add_consultation_note(staff_b, own, kind="phone", occurred_at=timezone.now(), text="Bの経過メモ")
    withdraw_consent(intake_a, source.person.consents.get(), note="撤回")
    status, body = page(client, staff_b, "consultation_detail", own.pk)
    assert status == 200 and "Bの経過メモ" in body  # what B wrote is B's (G1)
    assert "受理 太郎" not in body and ADDRESS not in body  # the person is no longer shared (invariant 2)
    status, today = page(client, staff_b, "today")
    assert status == 200 and "受理 太郎" not in today


def test_the_accept_page_leads_to_the_new_record(intake_a, staff_b, client):
    c = record(intake_a, consent_all=True)
    r = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="お願いします")
    client.force_login(staff_b)
    response = client.post(reverse("referral_accept", args=[r.pk]), {"accept-note": ""})
    own = Consultation.objects.get(source_referral=r)
    assert response.status_code == 302 and response["Location"] == reverse("consultation_detail", args=[own.pk])


def test_a_hand_over_to_multiagency_becomes_a_case_not_a_second_consultation(intake_a, coordinator):
    case = escalated_case(intake_a, coordinator)
    assert not Consultation.objects.filter(source_referral=case.referral).exists()


def test_today_shows_what_the_agency_holds_bounded_with_the_true_total(intake_a, staff_b, client,
                                                                         django_assert_max_num_queries):
    for _ in range(3):
        accepted(intake_a, staff_b, sensitive="")
    for i in range(20):
        record(staff_b, name=f"自機関 {i}号")
    closed = record(staff_b, name="終了 済子")
    intake.close_consultation(staff_b, closed, outcome="info", next_step="制度の案内をした")
    client.force_login(staff_b)
    with django_assert_max_num_queries(60):
        body = client.get(reverse("today")).content.decode()
    assert "対応中の相談（23）" in body and "終了 済子" not in body
    section = body.split("対応中の相談（23）")[1].split("</section>")[0]
    assert section.count("<li>") == 20  # bounded
    assert "受理 太郎" in body and "つなぎを受理" in body  # the oldest first: the three accepted referrals
    assert "全 23 件" in body


def test_the_receivers_record_does_not_count_twice_in_the_kpis(intake_a, staff_b, imizu):
    from tsunagu.evaluation.kpis import COMPUTERS

    accepted(intake_a, staff_b)
    start, end = timezone.now() - dt.timedelta(days=1), timezone.now() + dt.timedelta(days=1)
    assert COMPUTERS["consultations_total"](imizu, start, end, {}) == 1


# ------------------------------------------------------------------------------------------ 3. meetings as held

def approving_item(intake_a, staff_b, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    plan(coordinator, case, staff_b.agency, [staff_b.agency])
    m = jusou_meeting(coordinator, imizu, members=[staff_b, intake_a])
    return case, m, meetings.add_agenda_item(coordinator, m, purpose=AgendaItem.PLAN_REVIEW, case=case)


def test_a_decision_at_a_meeting_not_held_is_refused(intake_a, staff_b, coordinator, imizu):
    case, m, item = approving_item(intake_a, staff_b, coordinator, imizu)
    with pytest.raises(DomainError, match="開催済みになっていません"):
        meetings.decide_item(coordinator, item, decision=AgendaItem.APPROVED)
    item.refresh_from_db()
    assert not item.decision and case.active_plan() is None


def test_decisions_are_dated_with_the_meeting_not_the_click(intake_a, staff_b, coordinator, imizu):
    case, m, item = approving_item(intake_a, staff_b, coordinator, imizu)
    held_at = timezone.now() - dt.timedelta(days=2)
    members = {x.staff_id: x for x in m.members.all()}
    meetings.record_held(coordinator, m, held_at=held_at, attended=[members[staff_b.pk].pk],
                         minutes="全体の記録")
    m.refresh_from_db()
    assert m.status == Meeting.HELD and m.held_at == held_at and m.held_recorded_by == coordinator
    attendance = {x.staff_id: x.attended for x in m.members.all()}
    assert attendance == {staff_b.pk: True, intake_a.pk: False}
    meetings.decide_item(coordinator, item, decision=AgendaItem.APPROVED, note="適切", minutes="役割を確認した")
    item.refresh_from_db()
    assert item.decided_at == held_at and item.minutes == "役割を確認した"
    assert case.active_plan().approved_at == held_at
    event = AuditEvent.objects.filter(action="meeting.held", object_id=str(m.pk)).get()
    assert event.detail["attended"] == [members[staff_b.pk].pk]


def test_recording_held_checks_the_date_and_attendance(intake_a, staff_b, coordinator, imizu):
    _, m, _ = approving_item(intake_a, staff_b, coordinator, imizu)
    member = m.members.first()
    with pytest.raises(DomainError, match="未来"):
        meetings.record_held(coordinator, m, held_at=timezone.now() + dt.timedelta(days=1), attended=[member.pk])
    with pytest.raises(DomainError, match="出席"):
        meetings.record_held(coordinator, m, held_at=timezone.now(), attended=[])
    other = jusou_meeting(coordinator, imizu, members=[intake_a])
    with pytest.raises(DomainError, match="構成員ではない"):
        meetings.record_held(coordinator, m, held_at=timezone.now(), attended=[other.members.first().pk])
    with pytest.raises(PermissionDenied):
        meetings.record_held(staff_b, m, held_at=timezone.now(), attended=[member.pk])
    m.refresh_from_db()
    assert m.status == Meeting.SCHEDULED
    meetings.record_held(coordinator, m, held_at=timezone.now(), attended=[member.pk])
    with pytest.raises(DomainError, match="すでに"):
        meetings.record_held(coordinator, m, held_at=timezone.now(), attended=[member.pk])
    with pytest.raises(DomainError, match="開催済み"):
        meetings.add_agenda_item(coordinator, m, purpose="resources")


def test_a_support_meeting_records_the_duty_of_every_attendee(coordinator, imizu, make_staff):
    minsei = make_staff(imizu, "minsei1", "meeting_member", None, "民生委員 一")
    other = make_staff(imizu, "minsei2", "meeting_member", None, "民生委員 二")
    m = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "支援会議"), title="支援会議",
                                  scheduled_at=timezone.now() - dt.timedelta(hours=2))
    a, b = meetings.add_member(coordinator, m, staff=minsei), meetings.add_member(coordinator, m, staff=other)
    with pytest.raises(DomainError, match="守秘義務"):
        meetings.record_held(coordinator, m, held_at=timezone.now(), attended=[a.pk, b.pk])
    meetings.acknowledge_confidentiality(minsei, a)
    meetings.record_held(coordinator, m, held_at=timezone.now(), attended=[a.pk, b.pk], pledged=[b.pk])
    a.refresh_from_db(), b.refresh_from_db()
    assert a.attended and b.attended
    assert a.acknowledged_recorded_by == minsei and b.acknowledged_recorded_by == coordinator
    assert b.confidentiality_acknowledged_at is not None


def test_the_minutes_form_no_longer_holds_a_meeting(coordinator, imizu, client):
    from tsunagu.core.concurrency import edit_version

    m = jusou_meeting(coordinator, imizu)
    client.force_login(coordinator)
    response = client.post(reverse("meeting_minutes", args=[m.pk]), {
        "minutes": "記録", "held": "on", "edit_version": edit_version(m, meetings.MINUTES_FIELDS)})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.minutes == "記録" and m.status == Meeting.SCHEDULED
    assert "開催済みにする" not in client.get(reverse("meeting_detail", args=[m.pk])).content.decode().replace(
        "開催を記録する（開催済みにする）", "")


def test_holding_a_meeting_from_the_page(intake_a, staff_b, coordinator, imizu, client):
    _, m, item = approving_item(intake_a, staff_b, coordinator, imizu)
    members = list(m.members.all())
    client.force_login(coordinator)
    url = reverse("meeting_held", args=[m.pk])
    bad = client.post(url, {"held_at": "", "attended": []})
    assert bad.status_code == 400 and "開催日時を入力してください" in bad.content.decode()
    response = client.post(url, {"held_at": "R7.4.10 14:00", "attended": [members[0].pk]})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == Meeting.HELD and timezone.localtime(m.held_at).date() == dt.date(2025, 4, 10)
    response = client.post(reverse("meeting_item_decide", args=[m.pk, item.pk]),
                           {"decision": "approved", "note": "承認", "minutes": "議題の記録"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decided_at == m.held_at and item.minutes == "議題の記録"


def test_item_minutes_only_after_the_meeting_is_held(intake_a, staff_b, coordinator, imizu):
    _, m, item = approving_item(intake_a, staff_b, coordinator, imizu)
    with pytest.raises(DomainError, match="開催を記録してから"):
        meetings.save_item_minutes(coordinator, item, minutes="x")
    hold(coordinator, m)
    meetings.save_item_minutes(coordinator, item, minutes="プラン案について意見交換")
    item.refresh_from_db()
    assert item.minutes == "プラン案について意見交換"


def test_the_agenda_prints_before_the_meeting_through_the_grants(intake_a, staff_b, coordinator, imizu, client,
                                                                  make_staff):
    case, m, item = approving_item(intake_a, staff_b, coordinator, imizu)
    status, body = page(client, coordinator, "meeting_agenda", m.pk)
    assert status == 200 and "次第" in body and "プランの適切性の協議" in body and case.person.name in body
    assert page(client, make_staff(imizu, "outsider", "intake", agency_named(imizu, "すてっぷ")),
                "meeting_agenda", m.pk)[0] == 404
    assert AuditEvent.objects.filter(action="meeting.agenda_printed").exists()


@pytest.mark.parametrize("households", [1, 20])
def test_the_demo_holds_a_meeting_with_attendance_minutes_and_decisions(households):
    from io import StringIO

    from django.core.management import call_command

    call_command("demo", households=households, stdout=StringIO())
    held = Meeting.objects.filter(status=Meeting.HELD, held_at__isnull=False, held_recorded_by__isnull=False)
    assert held.exclude(minutes="").exists()
    meeting = held.exclude(minutes="").first()
    assert meeting.members.filter(attended=True).exists()
    decided = AgendaItem.objects.filter(meeting__in=held).exclude(decision="")
    assert decided.exists() and decided.exclude(minutes="").exists()
    assert all(i.decided_at == i.meeting.held_at for i in decided.select_related("meeting"))
    assert not AgendaItem.objects.exclude(decision="").exclude(meeting__status=Meeting.HELD).exists()
    if households >= 20:  # receivers' own records of accepted referrals, with their 支援経過
        assert ConsultationNote.objects.filter(consultation__source_referral__isnull=False).exists()
