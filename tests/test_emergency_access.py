"""緊急時の閲覧 (ACCESS.md G10): reason and basis required, casework roles only, ID + BASIC, never a masked
address, time-limited, the recording agency and the manager are told and review it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tsunagu.privacy import access
from tsunagu.privacy.models import EmergencyAccess, Grant
from tsunagu.privacy.services import ConsentError, break_glass, emergency_settings

from .intake_fixtures import record

pytestmark = pytest.mark.django_db


def test_it_needs_a_reason_a_listed_basis_and_a_casework_role(intake_a, staff_b, manager, imizu):
    person = record(intake_a).person
    with pytest.raises(ConsentError) as exc:
        break_glass(staff_b, persons=[person], basis="vital_private", reason="必要")
    assert exc.value.field == "reason"
    with pytest.raises(ConsentError) as exc:
        break_glass(staff_b, persons=[person], basis="made_up", reason="救急搬送のため家族の連絡先を確認")
    assert exc.value.field == "basis"
    with pytest.raises(ConsentError):
        break_glass(manager, persons=[person], basis="vital_private", reason="救急搬送のため家族の連絡先を確認")
    assert not Grant.objects.filter(kind="G10").exists()


def test_it_opens_id_and_basic_never_a_masked_address_and_expires(intake_a, staff_b, client):
    masked = record(intake_a, name="避難 中子", masked=True, address="射水市鏡宮9番地", sensitive="避難先は親族宅").person
    break_glass(staff_b, persons=[masked], basis="vital_public", reason="救急搬送のため家族の連絡先を確認")
    client.force_login(staff_b)
    page = client.get(reverse("person_detail", args=[masked.pk])).content.decode()
    assert "避難 中子" in page and "昭和50年5月5日" in page
    assert "射水市鏡宮9番地" not in page and "0766-00-0000" not in page and "避難先は親族宅" not in page
    # A day passes: the access and its grant (which carries the same end) are past their time.
    past = timezone.now() - dt.timedelta(seconds=1)
    EmergencyAccess.objects.update(expires_at=past)
    Grant.objects.filter(kind="G10").update(expires_at=past)
    # No write is needed for the read to stop: an expired grant is never active.
    assert client.get(reverse("person_detail", args=[masked.pk])).status_code == 404
    access.sync_persons(masked.municipality_id, [masked.pk])
    assert Grant.objects.get(kind="G10").end_reason == "期限切れ"


def test_the_profile_lists_the_bases_and_the_hours(imizu):
    imizu.profile = {**imizu.profile, "emergency_access": {"hours": 6, "bases": [
        {"code": "kyukyu", "label": "救急時の特例（個人情報保護法第27条第1項第2号）"}]}}
    bases, hours = emergency_settings(imizu)
    assert bases == {"kyukyu": "救急時の特例（個人情報保護法第27条第1項第2号）"} and hours == 6


def test_the_recording_agency_and_the_manager_are_told_the_manager_without_names(intake_a, staff_b, manager,
                                                                                 client):
    person = record(intake_a, name="通知 確認").person
    break_glass(staff_b, persons=[person], basis="vital_private", reason="救急搬送のため家族の連絡先を確認")
    for user, named in ((intake_a, True), (manager, False)):
        client.force_login(user)
        today = client.get(reverse("today")).content.decode() if user.is_casework else client.get("/").content.decode()
        assert "確認待ちの緊急時の閲覧: 1 件" in today
        page = client.get(reverse("emergency_list")).content.decode()
        assert "救急搬送のため" in page and ("通知 確認" in page) is named
        assert f"本人 #{person.pk}" in page or named
