"""職員管理 (issue 13, point 4): create, deactivate, 人事異動 with an effective date, and the hand-over of a leaving
worker's open cases and consultations — as the municipality's system administrator, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tsunagu.accounts import staff_admin
from tsunagu.accounts.models import AccountSecurity, StaffTransfer
from tsunagu.accounts.services import AccountError
from tsunagu.casework.models import Case
from tsunagu.directory.models import Role, Staff
from tsunagu.intake.models import Consultation
from tsunagu.meetings.governance_models import RosterEntry
from tsunagu.privacy.models import AuditEvent

from .casework_fixtures import escalated_case
from .conftest import agency_named
from .intake_fixtures import record

pytestmark = pytest.mark.django_db
GOOD = "kuji-no-hi-7Tq!zr"


def role(m, kind):
    return Role.objects.get(municipality=m, kind=kind, active=True) if Role.objects.filter(
        municipality=m, kind=kind, active=True).count() == 1 else Role.objects.filter(
        municipality=m, kind=kind, active=True).first()


def test_admin_creates_staff_who_must_change_the_password_at_first_login(imizu, sysadmin):
    agency = agency_named(imizu, "新湊西地域包括")
    staff = staff_admin.create_staff_account(sysadmin, username="new.window", display_name="新任 窓口",
                                             password=GOOD, agency=agency, role=role(imizu, "intake"))
    assert staff.agency == agency and staff.role_kind == "intake" and staff.municipality == imizu
    assert AccountSecurity.objects.get(staff=staff).must_change_password
    assert AuditEvent.objects.filter(action="staff.created", object_id=str(staff.pk)).exists()

    client = Client()
    client.post("/accounts/login/", {"username": "new.window", "password": GOOD})
    response = client.get("/intake/")
    assert response.status_code == 302 and "/accounts/password/" in response["Location"]


@pytest.mark.parametrize("password", ["short", "password1234", "123456789012345", "new.window.new"])
def test_a_weak_initial_password_is_refused_and_nothing_is_created(imizu, sysadmin, password):
    with pytest.raises(AccountError) as err:
        staff_admin.create_staff_account(sysadmin, username="new.window", display_name="新任 窓口",
                                         password=password, agency=agency_named(imizu, "新湊西地域包括"),
                                         role=role(imizu, "intake"))
    assert err.value.field == "password"
    assert not Staff.objects.filter(username="new.window").exists()


def test_only_the_admin_of_the_same_municipality_manages_staff(imizu, fussa, intake_a, manager, make_staff):
    for actor in (intake_a, manager):
        with pytest.raises(PermissionDenied):
            staff_admin.create_staff_account(actor, username="x.y", display_name="X", password=GOOD,
                                             agency=None, role=role(imizu, "manager"))
    fussa_admin = make_staff(fussa, "fussa.admin", "admin")
    with pytest.raises(PermissionDenied):
        staff_admin.deactivate_staff(fussa_admin, intake_a)
    with pytest.raises(AccountError):  # a role of another municipality
        staff_admin.create_staff_account(fussa_admin, username="x.y", display_name="X", password=GOOD,
                                         agency=None, role=role(imizu, "manager"))


def test_deactivation_is_refused_while_work_is_open_and_ends_sessions(imizu, sysadmin, intake_a, make_staff):
    record(intake_a)
    with pytest.raises(AccountError) as err:
        staff_admin.deactivate_staff(sysadmin, intake_a)
    assert "相談 1件" in err.value.message
    successor = make_staff(imizu, "intake_a2", "intake", intake_a.agency, "後任 窓口")
    staff_admin.hand_over(sysadmin, intake_a, successor)
    epoch = AccountSecurity.objects.get_or_create(staff=intake_a)[0].session_epoch
    staff_admin.deactivate_staff(sysadmin, intake_a)
    intake_a.refresh_from_db()
    assert not intake_a.is_active
    assert AccountSecurity.objects.get(staff=intake_a).session_epoch == epoch + 1
    client = Client()
    client.post("/accounts/login/", {"username": "intake_a", "password": "pw-for-tests-123"})
    assert client.get("/").status_code == 302  # an inactive account does not log in


def test_a_transfer_effective_today_moves_the_grants_at_once(imizu, sysadmin, intake_a, staff_b):
    c = record(intake_a)  # recorded by agency A: G1 for A's casework roles only
    assert Consultation.objects.visible_to(staff_b).filter(pk=c.pk).count() == 0
    staff_admin.transfer_staff(sysadmin, staff_b, effective_on=timezone.localdate(), agency=intake_a.agency,
                               role=role(imizu, "intake"), note="4月の人事異動")
    staff_b = Staff.objects.get(pk=staff_b.pk)
    assert staff_b.agency == intake_a.agency
    assert Consultation.objects.visible_to(staff_b).filter(pk=c.pk).count() == 1
    t = StaffTransfer.objects.get(staff=staff_b)
    assert t.applied_at is not None and t.from_agency == agency_named(imizu, "あいネット")
    assert AuditEvent.objects.filter(action="staff.transferred", object_id=str(staff_b.pk)).exists()


def test_a_future_transfer_waits_for_its_date_then_applies(imizu, sysadmin, intake_a, staff_b):
    c = record(intake_a)
    april = timezone.localdate() + dt.timedelta(days=10)
    staff_admin.transfer_staff(sysadmin, staff_b, effective_on=april, agency=intake_a.agency,
                               role=role(imizu, "intake"))
    staff_b.refresh_from_db()
    assert staff_b.agency == agency_named(imizu, "あいネット")
    assert staff_admin.apply_due_transfers(municipality_id=imizu.pk) == 0
    with pytest.raises(AccountError):  # one pending move at a time
        staff_admin.transfer_staff(sysadmin, staff_b, effective_on=april, agency=None, role=role(imizu, "manager"))
    assert staff_admin.apply_due_transfers(municipality_id=imizu.pk, today=april) == 1
    staff_b = Staff.objects.get(pk=staff_b.pk)
    assert staff_b.agency == intake_a.agency
    assert Consultation.objects.visible_to(staff_b).filter(pk=c.pk).count() == 1


def test_a_move_to_a_manager_role_ends_case_access(imizu, sysadmin, intake_a):
    c = record(intake_a)
    staff_admin.transfer_staff(sysadmin, intake_a, effective_on=timezone.localdate(), agency=intake_a.agency,
                               role=role(imizu, "manager"))
    moved = Staff.objects.get(pk=intake_a.pk)
    assert moved.role_kind == "manager"
    assert Consultation.objects.visible_to(moved).filter(pk=c.pk).count() == 0


def test_the_roster_line_follows_the_transfer(imizu, sysadmin, staff_b, intake_a):
    RosterEntry.objects.create(municipality=imizu, fiscal_year=2026, agency=staff_b.agency, duty="障がい分野の相談",
                               staff_name=str(staff_b), recorded_by=sysadmin)
    staff_admin.transfer_staff(sysadmin, staff_b, effective_on=dt.date(2026, 4, 1), agency=intake_a.agency,
                               role=role(imizu, "intake"), today=dt.date(2026, 4, 1))
    assert RosterEntry.objects.get(staff_name=str(staff_b)).agency == intake_a.agency


def test_a_coordinators_open_cases_go_to_a_successor_audited(imizu, sysadmin, intake_a, coordinator, make_staff):
    case = escalated_case(intake_a, coordinator)
    successor = make_staff(imizu, "coord2", "coordinator", coordinator.agency, "後任 推進員")
    window = make_staff(imizu, "window2", "intake", intake_a.agency, "窓口 2")
    with pytest.raises(AccountError):  # a case goes to a coordinator, not a window worker
        staff_admin.hand_over(sysadmin, coordinator, window)
    counts = staff_admin.hand_over(sysadmin, coordinator, successor)
    assert counts == {"cases": 1, "consultations": 0}
    assert Case.objects.get(pk=case.pk).coordinator == successor
    assert AuditEvent.objects.filter(action="case.handed_over", object_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="staff.handed_over", object_id=str(coordinator.pk)).exists()
    with pytest.raises(AccountError):  # nothing left to hand over
        staff_admin.hand_over(sysadmin, coordinator, successor)


def test_a_successor_of_another_agency_is_refused(imizu, sysadmin, intake_a, staff_b):
    c = record(intake_a)
    with pytest.raises(AccountError) as err:
        staff_admin.hand_over(sysadmin, intake_a, staff_b)
    assert "同じ機関" in err.value.message
    assert Consultation.objects.get(pk=c.pk).received_by == intake_a


def test_the_staff_pages_as_admin_and_as_outsiders(client, imizu, sysadmin, intake_a, make_staff):
    client.force_login(sysadmin)
    response = client.post("/accounts/staff/new/", {"username": "new.coord", "display_name": "新任 推進員",
                                                    "agency": intake_a.agency_id, "role": role(imizu, "intake").pk,
                                                    "password": "short"})
    assert response.status_code == 400 and "初期パスワード" in response.content.decode()
    response = client.post("/accounts/staff/new/", {"username": "new.coord", "display_name": "新任 推進員",
                                                    "agency": intake_a.agency_id, "role": role(imizu, "intake").pk,
                                                    "password": GOOD})
    new = Staff.objects.get(username="new.coord")
    assert response.status_code == 302 and response["Location"] == f"/accounts/staff/{new.pk}/"
    response = client.post(f"/accounts/staff/{intake_a.pk}/transfer/", {"effective_on": "令和",
                                                                       "role": role(imizu, "intake").pk})
    assert response.status_code == 400 and "発令日" in response.content.decode()
    page = client.get(f"/accounts/staff/{intake_a.pk}/").content.decode()
    assert "人事異動" in page and "担当の引継ぎ" in page
    assert "役割ごとの担当者" in client.get("/accounts/staff/").content.decode()

    client.force_login(intake_a)
    for url in ("/accounts/staff/new/", f"/accounts/staff/{new.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/accounts/staff/{new.pk}/hand-over/", {}).status_code == 403
    other = make_staff(imizu, "other.admin", "admin")
    client.force_login(other)
    fussa_staff = Staff.objects.create_user(username="far", password="x-long-password-1")
    assert client.get(f"/accounts/staff/{fussa_staff.pk}/").status_code == 404
