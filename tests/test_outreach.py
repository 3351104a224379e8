"""Outreach (アウトリーチ): from a 水道検針 report to intake, and who may see a target before consent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tsunagu.intake.models import Consultation
from tsunagu.meetings import services as meetings
from tsunagu.outreach import services
from tsunagu.outreach.models import OutreachTarget
from tsunagu.outreach.services import OutreachError
from tsunagu.people.models import Person
from tsunagu.privacy.models import AuditEvent

from .casework_fixtures import meeting_type
from .conftest import agency_named
from .program_fixtures import days_ago, outreach_staff, water_meter_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def ou(imizu, make_staff):
    return outreach_staff(imizu, make_staff)


@pytest.fixture
def agreement(ou):
    return services.record_agreement(ou, partner="射水市上下水道局", source="水道検針",
                                     scope="2か月以上検針票が回収されない世帯の住所と気づき", concluded_on=days_ago(400))


def consent():
    return {"scope_all_agencies": True, "scope_agencies": [], "purposes": ["関係機関へのつなぎ", "多機関協働", "参加支援"],
            "method": "書面", "obtained_on": timezone.localdate()}


def test_it_takes_a_water_meter_report_through_three_contacts_to_intake(ou, agreement, client, make_staff):
    target = water_meter_target(ou, agreement=agreement)
    assert target.stage == OutreachTarget.GATHERING and target.district.code == "hyoguri"
    assert Person.objects.count() == 0  # a target is not a person before consent

    services.record_contact(ou, target, kind="letter", attempted_on=days_ago(60), outcome="no_response",
                            note="訪問のお知らせを置いた")
    target.refresh_from_db()
    assert target.stage == OutreachTarget.CONTACTING
    services.record_contact(ou, target, kind="family", attempted_on=days_ago(35), outcome="family",
                            note="母と玄関先で話せた。本人は部屋にいる")
    services.record_contact(ou, target, kind="visit", attempted_on=days_ago(5), outcome="talked",
                            note="本人とドア越しに話せた。困りごとを聞いてほしいとのこと")
    target.refresh_from_db()
    assert target.stage == OutreachTarget.BUILDING
    assert (target.attempts.last().attempted_on - target.attempts.first().attempted_on).days >= 55

    consultation = services.obtain_consent(ou, target, consent=consent())
    target.refresh_from_db()
    assert target.stage == OutreachTarget.CONSENTED and target.consultation == consultation
    person = consultation.person
    assert (person.name, person.kana, person.address, person.phone) == (
        "水野 静男", "ミズノ シズオ", "射水市戸破1番地", "0766-11-2222")
    assert consultation.with_consent and consultation.issue_tags == ["ひきこもり", "8050"]
    assert consultation.consulter_type == "本人"
    for fragment in ("水道検針", "検針票がポストに残っている", "80代の母と二人暮らし", "手紙を置く", "本人とドア越しに話せた"):
        assert fragment in consultation.chief_complaint
    assert person.consents.get().scope_all_agencies

    # The hand-over ends G8 (ACCESS.md): the consultation is a record of 地域福祉課 for its casework roles — the
    # coordinator there sees it in the list with the address; the outreach role no longer sees the person.
    coord = make_staff(ou.municipality, "coord_ou", "coordinator", ou.agency, "推進員")
    client.force_login(coord)
    listing = client.get(reverse("consultation_list")).content.decode()
    assert "水野 静男" in listing
    page = client.get(reverse("consultation_detail", args=[consultation.pk]))
    assert page.status_code == 200 and "射水市戸破1番地" in page.content.decode()
    client.force_login(ou)
    assert client.get(reverse("consultation_list")).status_code == 403
    assert client.get(reverse("consultation_detail", args=[consultation.pk])).status_code == 404
    assert client.get(reverse("outreach_target_detail", args=[target.pk])).status_code == 404

    services.change_stage(ou, target, stage=OutreachTarget.CONNECTED, note="多機関協働へつないだ")
    target.refresh_from_db()
    assert target.stage == OutreachTarget.CONNECTED
    assert AuditEvent.objects.filter(action="outreach.consent_obtained", object_id=str(target.pk)).exists()


def test_it_refuses_bad_input_in_japanese_with_the_field(ou, agreement):
    with pytest.raises(OutreachError) as exc:
        services.register_target(ou, address="", source="水道検針", provider="検針員", noticed="x",
                                 legal_basis="vital", found_on=days_ago(1))
    assert exc.value.field == "address" and "住所" in exc.value.message
    with pytest.raises(OutreachError) as exc:
        services.register_target(ou, address="射水市戸破1番地", source="水道検針", provider="検針員", noticed="x",
                                 legal_basis="agreement", found_on=days_ago(1))
    assert exc.value.field == "agreement"
    target = water_meter_target(ou)
    with pytest.raises(OutreachError) as exc:
        services.obtain_consent(ou, target, consent=consent())
    assert "会えてから" in exc.value.message
    with pytest.raises(OutreachError) as exc:
        services.change_stage(ou, target, stage=OutreachTarget.WATCHING)
    assert exc.value.field == "note"
    with pytest.raises(OutreachError) as exc:
        services.record_contact(ou, target, kind="visit", attempted_on=days_ago(-3), outcome="met")
    assert exc.value.field == "attempted_on"


def test_it_keeps_targets_from_other_staff_of_the_same_agency(ou, coordinator, manager, intake_a, fussa_staff,
                                                                client):
    target = water_meter_target(ou)
    url = reverse("outreach_target_detail", args=[target.pk])
    for user in (coordinator, manager, intake_a, fussa_staff):
        assert not OutreachTarget.objects.visible_to(user).exists()
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert "水野 静男" not in client.get(reverse("outreach_target_list")).content.decode()
        with pytest.raises(PermissionDenied):
            services.record_contact(user, target, kind="visit", attempted_on=days_ago(1), outcome="met")
    client.force_login(ou)
    page = client.get(url)
    assert page.status_code == 200 and "水野 静男" in page.content.decode()
    assert AuditEvent.objects.filter(action="outreach.target_viewed", object_id=str(target.pk)).exists()


def test_it_shows_a_target_to_support_meeting_members_only_while_on_the_agenda(ou, coordinator, imizu, make_staff,
                                                                              client):
    target = water_meter_target(ou)
    member = make_staff(imizu, "minsei", "meeting_member", None, "民生委員")
    pending = make_staff(imizu, "school", "meeting_member", None, "学校 SSW")
    shien = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "支援会議"), title="支援会議",
                                      scheduled_at=timezone.now())
    meetings.acknowledge_confidentiality(member, meetings.add_member(coordinator, shien, staff=member))
    meetings.add_member(coordinator, shien, staff=pending)
    jusou = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "重層的支援会議"),
                                      title="重層", scheduled_at=timezone.now())
    with pytest.raises(OutreachError) as exc:
        services.put_on_agenda(ou, target, jusou)
    assert exc.value.field == "meeting" and "106条の6" in exc.value.message
    url = reverse("outreach_target_detail", args=[target.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404

    item = services.put_on_agenda(ou, target, shien, summary="検針員からの情報を共有")
    assert item.legal_basis == "support_meeting" and item.person is None
    page = client.get(url)
    assert page.status_code == 200 and "水野 静男" in page.content.decode()
    meeting_page = client.get(reverse("meeting_detail", args=[shien.pk])).content.decode()
    # G6: the name (ID) and the item's materials, nothing else of the target (address, phone, contacts).
    assert url in meeting_page and "水野 静男" in meeting_page and "検針員からの情報を共有" in meeting_page
    assert "射水市戸破1番地" not in page.content.decode() and "0766-11-2222" not in page.content.decode()
    assert "射水市戸破1番地" not in meeting_page
    assert client.post(reverse("outreach_target_contact", args=[target.pk]), {}).status_code == 403
    for user in (pending, coordinator):  # not acknowledged / organiser without membership
        client.force_login(user)
        assert client.get(url).status_code == 404

    services.record_contact(ou, target, kind="visit", attempted_on=days_ago(1), outcome="met")
    services.obtain_consent(ou, target, consent=consent())
    item.refresh_from_db()
    assert item.closed_at is not None  # consent obtained → sharing under 法106条の6 ends
    client.force_login(member)
    assert client.get(url).status_code == 404


def test_the_pages_work_and_lose_nothing_on_bad_input(ou, agreement, client):
    client.force_login(ou)
    response = client.post(reverse("outreach_target_new"), {"source": "水道検針", "provider": "検針員",
                                                            "legal_basis": "vital", "found_on": "令和7年4月1日",
                                                            "noticed": "新聞がたまっている", "name": "未入力 住所"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "住所を入力してください" in body and "新聞がたまっている" in body and "未入力 住所" in body
    response = client.post(reverse("outreach_target_new"), {
        "source": "水道検針", "provider": "検針員", "legal_basis": "agreement", "agreement": agreement.pk,
        "found_on": days_ago(3).isoformat(), "noticed": "新聞がたまっている", "address": "射水市戸破2番地",
        "issue_tags": ["孤立"]})
    target = OutreachTarget.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/outreach/{target.pk}/")
    response = client.post(reverse("outreach_target_contact", args=[target.pk]),
                           {"kind": "visit", "attempted_on": days_ago(1).isoformat(), "outcome": "met", "note": "会えた"})
    assert response.status_code == 302
    response = client.post(reverse("outreach_target_consent", args=[target.pk]), {
        "name": "", "consent_purposes": ["多機関協働"], "consent_method": "書面",
        "consent_date": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "本人の氏名を入力してください" in response.content.decode()
    response = client.post(reverse("outreach_target_consent", args=[target.pk]), {
        "name": "戸破 一", "consent_purposes": ["多機関協働"], "consent_method": "書面",
        "consent_date": timezone.localdate().isoformat()})
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outreach_target_list")
    assert consultation.agency == agency_named(target.municipality, "地域福祉課")
    assert client.get(reverse("outreach_agreements")).status_code == 200
