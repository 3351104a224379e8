"""Governance: city-wide meetings and topics, the anonymised difficult-case list, the staff roster export,
and trainings."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.models import MeetingType
from tsunagu.meetings import governance, services
from tsunagu.meetings.governance import GovernanceError

from .casework_fixtures import meeting_type
from .conftest import agency_named

pytestmark = pytest.mark.django_db


def city_meeting(manager, imizu):
    t = MeetingType.objects.for_municipality(imizu).filter(consent_rule="none").first()
    return services.schedule_meeting(manager, meeting_type=t, title="共生社会推進会議", scheduled_at=timezone.now())


def test_city_wide_meeting_topics(manager, imizu, coordinator, intake_a, client):
    meeting = city_meeting(manager, imizu)
    governance.add_topic(manager, meeting, section="体制検討の部", title="実施状況の報告")
    shien = services.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "支援会議"), title="支援会議",
                                      scheduled_at=timezone.now())
    with pytest.raises(GovernanceError):
        governance.add_topic(coordinator, shien, title="x")
    client.force_login(intake_a)
    page = client.get(reverse("governance_meeting", args=[meeting.pk]))
    assert page.status_code == 200 and "実施状況の報告" in page.content.decode()
    assert client.post(reverse("governance_meeting", args=[meeting.pk]), {"title": "x"}).status_code == 403
    assert client.get(reverse("governance_meeting", args=[shien.pk])).status_code == 404
    assert "共生社会推進会議" in client.get(reverse("governance_home")).content.decode()


def test_difficult_cases_refuse_identifying_details(manager, client):
    with pytest.raises(GovernanceError) as exc:
        governance.record_difficult_case(manager, fiscal_year=2026, title="8050世帯",
                                         response="0766-12-3456 に連絡して訪問")
    assert exc.value.field == "response" and "電話番号" in exc.value.message
    client.force_login(manager)
    response = client.post(reverse("difficult_case_list"), {"fiscal_year": "2026", "title": "射水市戸破12番地の世帯",
                                                             "response": "訪問を重ねた"})
    body = response.content.decode()
    assert response.status_code == 400 and "番地" in body and "訪問を重ねた" in body
    response = client.post(reverse("difficult_case_list"), {"fiscal_year": "2026", "title": "8050世帯",
                                                             "response": "訪問を重ねた", "issues": ["8050"]})
    assert response.status_code == 302
    assert "8050世帯" in client.get(reverse("difficult_case_list")).content.decode()


def test_roster_is_kept_per_year_and_exported_to_excel(manager, imizu, intake_a, client, fussa_staff):
    from openpyxl import load_workbook

    fy = fiscal_year_of(timezone.localdate())
    governance.add_roster_entry(manager, fiscal_year=fy, agency=agency_named(imizu, "地域福祉課"),
                                duty="相談支援包括化推進員", staff_name="包括 恵", phone="0766-51-6626")
    with pytest.raises(PermissionDenied):
        governance.add_roster_entry(intake_a, fiscal_year=fy, agency=intake_a.agency, duty="x", staff_name="y")
    client.force_login(intake_a)  # shared with agencies: any agency staff may read and export
    assert "包括 恵" in client.get(reverse("roster")).content.decode()
    response = client.get(reverse("roster_export") + f"?fy={fy}")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value]
    assert "業務担当名簿" in values and "包括 恵" in values
    client.force_login(fussa_staff)
    assert "包括 恵" not in client.get(reverse("roster") + f"?fy={fy}").content.decode()


def test_trainings_are_recorded(manager, client):
    client.force_login(manager)
    response = client.post(reverse("training_list"), {"held_on": "令和8年5月1日", "title": "", "organiser": "地域福祉課",
                                                       "participants": "10"})
    assert response.status_code == 400 and "研修名を入力してください" in response.content.decode()
    response = client.post(reverse("training_list"), {"held_on": "令和8年5月1日", "title": "基礎研修",
                                                       "organiser": "地域福祉課", "participants": "10"})
    assert response.status_code == 302
    assert "基礎研修" in client.get(reverse("training_list")).content.decode()
