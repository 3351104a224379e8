"""Two municipalities in one database never see each other."""

import re

import pytest

from tsunagu.directory.models import Agency, District
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.models import AuditEvent

from .conftest import agency_named

pytestmark = pytest.mark.django_db


def test_querysets_are_scoped(imizu, fussa):
    assert Agency.objects.for_municipality(imizu).exclude(municipality=imizu).count() == 0
    assert Agency.objects.for_municipality(None).count() == 0
    assert not set(Agency.objects.for_municipality(imizu)) & set(Agency.objects.for_municipality(fussa))


def test_agency_list_shows_only_own_municipality(client, intake_a, fussa_staff, fussa):
    client.force_login(intake_a)
    body = client.get("/directory/agencies/").content.decode()
    linked = {int(x) for x in re.findall(r'href="/directory/agencies/(\d+)/"', body)}
    own = set(Agency.objects.for_municipality(intake_a.municipality).filter(active=True).values_list("id", flat=True))
    assert linked == own
    assert not linked & set(Agency.objects.for_municipality(fussa).values_list("id", flat=True))


def test_other_municipality_agency_is_404(client, intake_a, fussa_staff):
    client.force_login(fussa_staff)
    own = client.get(f"/directory/agencies/{fussa_staff.agency_id}/")
    assert own.status_code == 200
    other = client.get(f"/directory/agencies/{intake_a.agency_id}/")
    assert other.status_code == 404
    assert "ページが見つかりません" in other.content.decode()


def test_address_lookup_uses_own_districts_only(client, fussa_staff, imizu):
    client.force_login(fussa_staff)
    body = client.get("/directory/lookup/", {"address": "射水市放生津町1"}).content.decode()
    assert "新湊西地域包括支援センター" not in body


def test_audit_log_shows_only_own_municipality(client, manager, fussa_staff, fussa):
    log_action("staff.updated", actor=fussa_staff, obj=fussa_staff, reason="福生の操作")
    client.force_login(manager)
    body = client.get("/audit/").content.decode()
    assert "福生の操作" not in body
    assert AuditEvent.objects.filter(municipality=fussa, reason="福生の操作").exists()


def test_same_codes_live_side_by_side(imizu, fussa):
    a = District.objects.create(municipality=imizu, code="same", name="同名")
    b = District.objects.create(municipality=fussa, code="same", name="同名")
    assert District.objects.for_municipality(imizu).get(code="same") == a
    assert District.objects.for_municipality(fussa).get(code="same") == b


def test_staff_cannot_be_attached_to_another_municipalitys_agency(imizu, fussa):
    from tsunagu.directory.services import DirectoryError, create_staff

    with pytest.raises(DirectoryError, match="別の自治体"):
        create_staff(actor=None, municipality=fussa, username="x", display_name="x", password="long-password-1",
                     agency=agency_named(imizu, "新湊西"), roles=[])
