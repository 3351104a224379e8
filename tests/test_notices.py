"""お知らせ (issue 13, point 8): who is told what, that a notice names no person, and the daily reminders/digest.

Expectations from the issue: referral received / returned, a plan sent back, a meeting to attend, a review or
follow-up due, emergency access to your record; an unread count; an optional daily e-mail naming no person.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tsunagu.casework.models import FollowUp
from tsunagu.core.errors import DomainError
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import AgendaItem
from tsunagu.notices import services as notices
from tsunagu.notices.models import Notice
from tsunagu.privacy.services import break_glass

from .casework_fixtures import escalated_case, hold, jusou_meeting, plan
from .intake_fixtures import record

pytestmark = pytest.mark.django_db
NAMES = ("高橋", "一郎", "タカハシ", "イチロウ", "放生津")


def _texts(user):
    return [n.text for n in Notice.objects.filter(recipient=user)]


def _no_person_in(texts):
    return not any(name in t for t in texts for name in NAMES)


def test_a_referral_tells_the_receiving_agency_and_a_return_tells_the_sender(intake_a, staff_b, make_staff,
                                                                           client):
    colleague_b = make_staff(staff_b.municipality, "staff_b2", "intake", staff_b.agency, "職員 B2")
    c = record(intake_a, consent_all=True)
    referral = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="障がいのこと")
    for user in (staff_b, colleague_b):
        [notice] = Notice.objects.filter(recipient=user)
        assert notice.kind == Notice.REFERRAL_RECEIVED and f"つなぎ #{referral.pk}" in notice.text
        assert intake_a.agency.name in notice.text and notice.read_at is None
    assert not Notice.objects.filter(recipient=intake_a).exists()  # not the one who sent it
    assert _no_person_in(_texts(staff_b))

    intake.return_referral(staff_b, referral, reason="対象外", suggested_agency=intake_a.agency.__class__.objects
                           .filter(municipality=intake_a.municipality).exclude(pk__in=[intake_a.agency_id,
                                                                                       staff_b.agency_id]).first())
    [back] = Notice.objects.filter(recipient=intake_a)
    assert back.kind == Notice.REFERRAL_RETURNED and staff_b.agency.name in back.text
    assert _no_person_in(_texts(intake_a))

    # The unread count is in the header; opening the notice marks it read and leads to the referral.
    client.force_login(intake_a)
    home = client.get("/").content.decode()
    assert 'お知らせ <span class="badge" title="未読">1</span>' in home
    opened = client.get(reverse("notice_open", args=[back.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("referral_detail", args=[referral.pk])
    back.refresh_from_db()
    assert back.read_at is not None
    assert 'title="未読"' not in client.get("/").content.decode()


def test_a_refused_action_tells_nobody(intake_a, staff_b):
    c = record(intake_a)  # no consent: a referral needs a statutory basis
    with pytest.raises(DomainError):
        intake.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    assert Notice.objects.count() == 0


def test_a_meeting_member_and_a_sent_back_plan_are_told(imizu, intake_a, staff_b, coordinator, make_staff):
    from .conftest import agency_named

    case = escalated_case(intake_a, coordinator)
    draft = plan(coordinator, case, coordinator.agency, [coordinator.agency])
    meeting = jusou_meeting(coordinator, imizu, members=[staff_b])
    [invited] = Notice.objects.filter(recipient=staff_b, kind=Notice.MEETING_MEMBER)
    assert f"会議 #{meeting.pk}" in invited.text and invited.url == reverse("meeting_detail", args=[meeting.pk])
    colleague = make_staff(imizu, "coord_b", "coordinator", agency_named(imizu, "地域福祉課"), "推進員 E")
    item = meetings.add_agenda_item(coordinator, meeting, purpose=AgendaItem.PLAN_REVIEW, case=case)
    hold(coordinator, meeting)
    meetings.decide_item(coordinator, item, decision=AgendaItem.SENT_BACK, note="目標を具体的に")
    [back] = Notice.objects.filter(recipient=colleague, kind=Notice.PLAN_SENT_BACK)
    assert f"事例 #{case.pk}" in back.text and f"第{draft.version}版" in back.text
    assert not Notice.objects.filter(recipient=coordinator, kind=Notice.PLAN_SENT_BACK).exists()  # decided it
    assert _no_person_in(_texts(colleague))


def test_emergency_access_tells_the_recording_agency_and_the_manager(intake_a, staff_b, manager):
    person = record(intake_a).person
    [ea] = break_glass(staff_b, persons=[person], basis="vital_public", reason="救急搬送のため家族の連絡先を確認")
    for user in (intake_a, manager):
        [n] = Notice.objects.filter(recipient=user, kind=Notice.EMERGENCY_ACCESS)
        assert f"緊急時の閲覧 #{ea.pk}" in n.text and staff_b.agency.name in n.text
    assert not Notice.objects.filter(recipient=staff_b).exists()
    assert _no_person_in(_texts(intake_a) + _texts(manager))


def test_daily_reminders_are_made_once_and_the_digest_names_no_person(imizu, intake_a, coordinator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = escalated_case(intake_a, coordinator)
    FollowUp.objects.create(municipality=imizu, case=case, agency=coordinator.agency,
                            due_date=timezone.localdate() + dt.timedelta(days=3))
    FollowUp.objects.create(municipality=imizu, case=case, agency=coordinator.agency,
                            due_date=timezone.localdate() + dt.timedelta(days=30))  # not yet
    coordinator.email = "coord@example.jp"
    coordinator.save(update_fields=["email"])
    call_command("notices", "daily", "--municipality", imizu.code, "--mail")
    [due] = Notice.objects.filter(recipient=coordinator, kind=Notice.FOLLOW_UP_DUE)
    assert f"事例 #{case.pk} の見守りの予定日が近づいています" == due.text
    assert notices.create_due_notices(imizu) == 0  # the same day again: nothing new
    [message] = mail.outbox
    # The escalation's referral and the follow-up: both unread.
    assert notices.unread_count(coordinator) == 2
    assert message.to == ["coord@example.jp"] and "未読のお知らせが 2 件" in message.subject
    assert _no_person_in([message.subject, message.body]) and "/notices/" in message.body


def test_the_list_shows_only_ones_own_notices(intake_a, staff_b, client):
    c = record(intake_a, consent_all=True)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    [theirs] = Notice.objects.filter(recipient=staff_b)
    client.force_login(intake_a)
    page = client.get(reverse("notice_list")).content.decode()
    assert "お知らせはありません" in page and theirs.text not in page
    assert client.get(reverse("notice_open", args=[theirs.pk])).status_code == 404
    client.force_login(staff_b)
    page = client.get(reverse("notice_list")).content.decode()
    assert theirs.text in page and "未読 1 件" in page
    assert client.post(reverse("notice_read_all"), follow=True).status_code == 200
    assert notices.unread_count(staff_b) == 0
    assert client.get(reverse("notice_list"), {"page": "abc"}).status_code == 200
