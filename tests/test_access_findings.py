"""Regression tests for the seven findings of the access-model review (issue 11), each against ACCESS.md.

Every test reproduces what was found over HTTP on the demo and asserts on what the response contains.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings
from tsunagu.people.models import Person
from tsunagu.privacy.models import AuditEvent
from tsunagu.privacy.services import withdraw_consent

from .casework_fixtures import escalated_case, meeting_type
from .conftest import agency_named
from .intake_fixtures import record
from .program_fixtures import outreach_staff, participation_staff

pytestmark = pytest.mark.django_db


def body(client, url, **query):
    response = client.get(url, query)
    return response.status_code, response.content.decode()


def test_finding1_a_window_recording_its_own_consultation_does_not_take_over_the_record(intake_a, staff_b, client):
    """A statutory receiver that records its own consultation about the person still sees only ID of A's record
    (invariant 1), keeps its own record, and loses A's once it returns the referral."""
    c = record(intake_a, name="秘匿 花子", masked=True, address="射水市戸破9番地", sensitive="DV被害・避難中")
    r = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, statutory_basis="vital",
                                  message="避難先の調整")
    client.force_login(staff_b)
    response = client.post(reverse("consultation_new"), {
        "person_id": c.person_id, "name": "秘匿 花子", "address": "Bが聞いた連絡先の住所",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "channel": "電話",
        "consulter_type": "本人", "chief_complaint": "Bへの相談", "urgency": "normal", "with_consent": "no"})
    assert response.status_code == 302
    own = Person.objects.exclude(pk=c.person_id).get(name="秘匿 花子")
    assert own.recorded_by_agency == staff_b.agency and own.address == "Bが聞いた連絡先の住所"
    status, page = body(client, reverse("person_detail", args=[c.person_id]))
    assert status == 200 and "秘匿 花子" in page
    for hidden in ("射水市戸破9番地", "0766-00-0000", "昭和50年", "DV被害"):
        assert hidden not in page
    assert own.pk != c.person_id and reverse("person_detail", args=[own.pk]) in page  # linked, B's own record
    intake.return_referral(staff_b, r, reason="対象外", suggested_agency=agency_named(intake_a.municipality, "すてっぷ"))
    assert client.get(reverse("person_detail", args=[c.person_id])).status_code == 404
    status, page = body(client, reverse("person_detail", args=[own.pk]))
    assert status == 200 and "Bが聞いた連絡先の住所" in page and "射水市戸破9番地" not in page


def test_finding2_access_follows_the_role_not_the_agency(intake_a, coordinator, manager, imizu, make_staff, client):
    """The manager, outreach and participation staff of the coordinating agency see no case and no 要配慮個人情報;
    the manager sees no masked address on a consultation page (R10, ACCESS.md §2)."""
    case = escalated_case(intake_a, coordinator)
    c = record(intake_a, name="住所秘匿 次郎", masked=True, address="射水市大島5番地", sensitive="通院中の病名",
               consent_all=True)
    intake.escalate_to_multiagency(intake_a, c, message="多機関で")
    for user in (manager, outreach_staff(imizu, make_staff), participation_staff(imizu, make_staff)):
        client.force_login(user)
        assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404
        assert client.get(reverse("consultation_detail", args=[c.pk])).status_code == 404
        assert client.get(reverse("person_detail", args=[c.person_id])).status_code == 404
        status, page = body(client, reverse("case_list"))
        assert "高橋 一郎" not in page and "住所秘匿 次郎" not in page
        with pytest.raises(Exception):  # noqa: B017 — the services refuse them too (PermissionDenied / 404)
            from tsunagu.casework import services as casework

            casework.add_progress_note(user, case, kind="visit", occurred_at=timezone.now(), text="x")
    client.force_login(coordinator)
    status, page = body(client, reverse("consultation_detail", args=[c.pk]))
    assert status == 200 and "住所秘匿 次郎" in page and "射水市大島5番地" not in page and "通院中の病名" not in page


def test_finding3_support_meeting_minutes_need_the_recorded_duty(coordinator, imizu, make_staff, client):
    member = make_staff(imizu, "minsei", "meeting_member", None, "民生委員")
    m = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "支援会議"), title="支援会議",
                                  scheduled_at=timezone.now())
    membership = meetings.add_member(coordinator, m, staff=member)
    meetings.save_minutes(coordinator, m, minutes="Xさんの母は入院中")
    client.force_login(member)
    status, page = body(client, reverse("meeting_detail", args=[m.pk]))
    assert status == 200 and "Xさんの母は入院中" not in page and "守秘義務の確認を記録した構成員だけ" in page
    meetings.acknowledge_confidentiality(member, membership)
    assert "Xさんの母は入院中" in body(client, reverse("meeting_detail", args=[m.pk]))[1]


def test_finding4_jusou_items_honour_the_consent_scope(intake_a, staff_b, coordinator, imizu, client):
    """A 重層的支援会議 member whose agency is outside the person's consent scope sees neither the name nor the item."""
    steppu = agency_named(imizu, "すてっぷ")
    c = record(intake_a, name="範囲 限子", consent_agencies=[coordinator.agency, steppu])
    r = intake.escalate_to_multiagency(intake_a, c, message="多機関で")
    from tsunagu.casework import services as casework

    case = casework.open_case(coordinator, referral=r)
    m = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "重層的支援会議"), title="重層",
                                  scheduled_at=timezone.now())
    meetings.add_member(coordinator, m, staff=staff_b)
    meetings.add_agenda_item(coordinator, m, purpose="sharing", case=case, summary="家族関係の調整について")
    client.force_login(staff_b)
    status, page = body(client, reverse("meeting_detail", args=[m.pk]))
    assert status == 200 and "範囲 限子" not in page and "家族関係の調整について" not in page
    assert "本人同意の範囲にあなた（の機関）が含まれない" in page
    assert client.get(reverse("person_detail", args=[c.person_id])).status_code == 404


def test_finding5_the_admin_audit_page_is_pseudonymised(intake_a, staff_b, sysadmin, coordinator, client):
    c = record(intake_a, name="加藤 和子")
    case = escalated_case(intake_a, coordinator)
    client.force_login(intake_a)
    client.get(reverse("person_detail", args=[c.person_id]))
    client.get(reverse("person_search"), {"q": "加藤"})
    client.force_login(coordinator)
    client.get(reverse("case_detail", args=[case.pk]))
    client.force_login(sysadmin)
    status, page = body(client, reverse("audit_log"))
    assert status == 200
    for name in ("加藤 和子", "加藤", "高橋 一郎", case.title):
        assert name not in page
    assert f"本人 #{c.person_id}" in page and f"事例 #{case.pk}" in page
    assert AuditEvent.objects.filter(object_repr__contains="加藤").count() == 0


def test_finding6_referral_messages_follow_their_basis(intake_a, staff_b, imizu, client):
    c = record(intake_a, name="撤回 三郎", consent_agencies=[staff_b.agency])
    r = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="DV歴あり、住所は射水市鏡宮3")
    intake.accept_referral(staff_b, r)
    client.force_login(staff_b)
    assert "DV歴あり" in body(client, reverse("referral_detail", args=[r.pk]))[1]
    withdraw_consent(intake_a, r.consent, note="本人から申し出")
    status, page = body(client, reverse("referral_detail", args=[r.pk]))
    assert status == 200 and "DV歴あり" not in page and "撤回 三郎" not in page
    # A returning agency does not see where the person was sent next.
    c2 = record(intake_a, name="戻し 四郎", consent_agencies=[staff_b.agency, agency_named(imizu, "すてっぷ")])
    r2 = intake.refer_consultation(intake_a, c2, to_agency=staff_b.agency, message="就労の相談")
    steppu = agency_named(imizu, "すてっぷ")
    intake.return_referral(staff_b, r2, reason="対象外のため", suggested_agency=steppu)
    again = intake.resend_referral(intake_a, r2, to_agency=agency_named(imizu, "こども家庭センター"),
                                   statutory_basis="vital")
    status, page = body(client, reverse("referral_detail", args=[r2.pk]))
    assert status == 200 and "対象外のため" in page  # its own answer
    assert "こども家庭センター" not in page and reverse("referral_detail", args=[again.pk]) not in page
    assert "就労の相談" not in page and "戻し 四郎" not in page


def test_finding7_steward_sees_no_agencies_and_care_roles_need_their_own_basis(intake_a, staff_b, steward, imizu,
                                                                               client):
    from tsunagu.identity import services as identity

    kodomo = make_kodomo(imizu)
    mother = [{"name": "名寄 母", "relation": "母", "care_roles": ["障がい"]}]
    c1 = record(intake_a, name="名寄 太郎", members=mother, consent_agencies=[staff_b.agency])
    record(kodomo, name="名寄 太郎")  # the same resident, recorded by こども家庭センター
    identity.run_batch(imizu)
    client.force_login(steward)
    status, page = body(client, reverse("identity_review"))
    assert status == 200 and "名寄 太郎" in page and "他機関の記録" in page
    assert "こども家庭センター" not in page and "新湊西地域包括支援センター" not in page
    # The household's composition is BASIC, the members' care roles SENSITIVE: a consent-based referral opens the
    # first, only the recording agency (and a consented team) the second.
    intake.refer_consultation(intake_a, c1, to_agency=staff_b.agency, message="")
    care = '<span class="tag">障がい</span>'
    client.force_login(staff_b)
    status, page = body(client, reverse("consultation_detail", args=[c1.pk]))
    assert status == 200 and "名寄 母" in page and care not in page
    client.force_login(intake_a)
    assert care in body(client, reverse("consultation_detail", args=[c1.pk]))[1]


def make_kodomo(imizu):
    from tsunagu.directory.models import Role, Staff

    staff = Staff.objects.create_user(username="kodomo", password="pw-for-tests-123", municipality=imizu,
                                      agency=agency_named(imizu, "こども家庭センター"), display_name="こども")
    staff.roles.set(Role.objects.for_municipality(imizu).filter(kind="intake")[:1])
    return staff
