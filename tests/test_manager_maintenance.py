"""What managers maintain (issue 13, point 5): manual actuals per month or year with who entered them, targets per
fiscal year, places and social resources on screen — each audited, and none of it lost to a profile reload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tsunagu.community import services as community
from tsunagu.community.models import Place
from tsunagu.core.concurrency import EditConflict, edit_version
from tsunagu.directory.services import load_profile
from tsunagu.evaluation import services as evaluation
from tsunagu.evaluation.kpis import fiscal_year_rows
from tsunagu.evaluation.models import KpiDefinition, KpiTarget, ManualActual
from tsunagu.participation import services as participation
from tsunagu.participation.models import Resource
from tsunagu.privacy.models import AuditEvent

from .conftest import parsed_profile

pytestmark = pytest.mark.django_db
R7 = 2025


def kpi(m, code):
    return KpiDefinition.objects.get(municipality=m, code=code)


def row(m, code, year=R7):
    return next(r for r in fiscal_year_rows(m, year) if r.kpi.code == code)


def test_monthly_actuals_add_up_and_a_yearly_figure_takes_precedence(imizu, manager):
    k = kpi(imizu, "hyakusai-taiso-group")
    assert row(imizu, k.code).actual is None  # 未集計 before anything is entered
    evaluation.save_manual_actual(manager, k, fiscal_year=R7, month=4, value=3)
    evaluation.save_manual_actual(manager, k, fiscal_year=R7, month=5, value=4, note="介護保険課の集計")
    r = row(imizu, k.code)
    assert r.actual == 7 and r.manual
    evaluation.save_manual_actual(manager, k, fiscal_year=R7, month=5, value=5)  # a correction replaces the month
    assert row(imizu, k.code).actual == 8
    evaluation.save_manual_actual(manager, k, fiscal_year=R7, value=60)
    assert row(imizu, k.code).actual == 60
    april = ManualActual.objects.get(kpi=k, fiscal_year=R7, month=4)
    assert april.recorded_by == manager and april.recorded_at is not None
    saved = AuditEvent.objects.filter(action="evaluation.manual_saved")
    assert saved.count() == 4 and saved.order_by("id").last().detail["value"] == 60


@pytest.mark.parametrize(("month", "value", "field"), [(13, 1, "month"), (4, -1, "value"), (4, None, "value")])
def test_bad_actuals_are_refused_with_the_field_named(imizu, manager, month, value, field):
    with pytest.raises(evaluation.EvaluationError) as err:
        evaluation.save_manual_actual(manager, kpi(imizu, "hyakusai-taiso-group"), fiscal_year=R7, month=month,
                                      value=value)
    assert err.value.field == field
    assert not ManualActual.objects.exists()


def test_only_the_manager_maintains_targets_and_actuals(imizu, coordinator, sysadmin, fussa, make_staff):
    k = kpi(imizu, "hyakusai-taiso-group")
    for actor in (coordinator, sysadmin):
        with pytest.raises(PermissionDenied):
            evaluation.save_target(actor, k, fiscal_year=R7, target=5)
    other = make_staff(fussa, "fussa.manager", "manager")
    with pytest.raises(evaluation.EvaluationError):
        evaluation.save_manual_actual(other, k, fiscal_year=R7, value=1)


def test_a_profile_reload_keeps_what_was_entered_on_screen(imizu, manager, make_staff):
    k = kpi(imizu, "hyakusai-taiso-group")
    listed = KpiTarget.objects.filter(municipality=imizu, target__isnull=False).order_by("id").first()
    evaluation.save_target(manager, listed.kpi, fiscal_year=listed.fiscal_year, target=999)  # overrides the profile's
    evaluation.save_target(manager, k, fiscal_year=2031, target=42)  # a year the profile does not list
    evaluation.save_manual_actual(manager, k, fiscal_year=R7, month=6, value=9)
    added = community.create_place(manager, name="新しいサロン", kind="サロン", district=None, operator="自治会",
                                   address="射水市本町1番", phone="", audience="高齢者", schedule="毎週月曜",
                                   opened_on=dt.date(2026, 5, 1), note="")
    from_profile = Place.objects.get(municipality=imizu, code="chikatsu-ainet-imizu")
    community.update_place(manager, from_profile, **{f: getattr(from_profile, f) for f in community.PLACE_FIELDS}
                           | {"schedule": "毎週火曜 10時"})
    retired = Place.objects.filter(municipality=imizu, edited_by__isnull=True).exclude(pk=from_profile.pk).first()
    community.retire_place(manager, retired, closed_on=dt.date(2026, 6, 30))
    resource = participation.create_resource(manager, name="畑の会", kind="農福連携", host="NPO", needs=["居場所"])

    load_profile(parsed_profile("imizu"), source="profiles/imizu.yaml")

    assert KpiTarget.objects.get(kpi=listed.kpi, fiscal_year=listed.fiscal_year).target == 999
    assert KpiTarget.objects.get(kpi=k, fiscal_year=2031).target == 42
    assert ManualActual.objects.get(kpi=k, fiscal_year=R7, month=6).value == 9
    added.refresh_from_db()
    assert added.active and added.closed_on is None
    from_profile.refresh_from_db()
    assert from_profile.schedule == "毎週火曜 10時"
    retired.refresh_from_db()
    assert retired.closed_on == dt.date(2026, 6, 30)
    assert Resource.objects.filter(pk=resource.pk, active=True).exists()
    # A profile target nobody touched still follows the profile.
    untouched = KpiTarget.objects.filter(kpi__municipality=imizu, entered_by__isnull=True).count()
    assert untouched > 0


def test_places_are_added_edited_and_retired_audited(imizu, manager, intake_a):
    with pytest.raises(community.CommunityError) as err:
        community.create_place(manager, name="", kind="サロン", district=None, opened_on=dt.date(2026, 4, 1))
    assert err.value.field == "name"
    with pytest.raises(PermissionDenied):
        community.create_place(intake_a, name="x", kind="サロン", district=None, opened_on=dt.date(2026, 4, 1))
    place = community.create_place(manager, name="いきいきサロン", kind="サロン", district=None,
                                   opened_on=dt.date(2026, 4, 1))
    stale = edit_version(place, community.PLACE_FIELDS)
    values = {f: getattr(place, f) for f in community.PLACE_FIELDS}
    community.update_place(manager, place, edit_version=stale, **values | {"name": "いきいきサロン本町"})
    with pytest.raises(EditConflict):
        community.update_place(manager, place, edit_version=stale, **values | {"name": "別の名前"})
    with pytest.raises(community.CommunityError):
        community.retire_place(manager, place, closed_on=dt.date(2026, 3, 1))  # before it opened
    community.retire_place(manager, place, closed_on=dt.date(2026, 9, 30))
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(place.pk),
                                                        object_type="community.place").order_by("id")] == [
        "community.place_created", "community.place_updated", "community.place_retired"]


def test_resources_are_edited_and_retired(imizu, manager):
    r = participation.create_resource(manager, name="畑の会", kind="農福連携", host="NPO", needs=["居場所"])
    values = {f: getattr(r, f) for f in participation.RESOURCE_FIELDS}
    participation.update_resource(manager, r, edit_version=edit_version(r, participation.RESOURCE_FIELDS),
                                  **values | {"capacity": 8})
    participation.set_resource_accepting(manager, r, accepting=False)
    r.refresh_from_db()
    assert r.capacity == 8 and not r.active
    with pytest.raises(participation.ParticipationError):
        participation.set_resource_accepting(manager, r, accepting=False)
    assert AuditEvent.objects.filter(action="participation.resource_retired", object_id=str(r.pk)).exists()


def test_the_manage_page(client, imizu, manager, coordinator):
    client.force_login(manager)
    k = kpi(imizu, "hyakusai-taiso-group")
    page = client.get(f"/evaluation/manage/?fy={R7}").content.decode()
    assert "令和7年度" in page and "未集計" in page
    response = client.post(f"/evaluation/manage/?fy={R7}", {"form": "actual", "kpi": k.pk, "fiscal_year": R7,
                                                             "month": 4, "value": "abc"})
    assert response.status_code == 400 and "実績値は数字で入力してください" in response.content.decode()
    response = client.post("/evaluation/manage/", {"form": "actual", "kpi": k.pk, "fiscal_year": R7, "month": 4,
                                                   "value": "12"})
    assert response.status_code == 302 and response["Location"].endswith(f"?fy={R7}")
    response = client.post("/evaluation/manage/", {"form": "target", "kpi": k.pk, "fiscal_year": 2027,
                                                   "target": "30"})
    assert response.status_code == 302
    page = client.get("/evaluation/manage/?fy=2027").content.decode()
    assert "令和9年度" in page and "画面で入力: 管理者 M" in page
    client.force_login(coordinator)
    assert client.get("/evaluation/manage/").status_code == 403
    assert client.post("/evaluation/manage/", {"form": "target"}).status_code == 403


def test_place_pages(client, imizu, manager, intake_a):
    client.force_login(manager)
    response = client.post("/community/places/new/", {"name": "", "kind": "サロン", "opened_on": "令和8年4月1日"})
    assert response.status_code == 400 and "名称を入力してください" in response.content.decode()
    response = client.post("/community/places/new/", {"name": "本町サロン", "kind": "サロン",
                                                      "opened_on": "令和8年4月1日"})
    place = Place.objects.get(name="本町サロン")
    assert response.status_code == 302 and place.edited_by == manager and place.opened_on == dt.date(2026, 4, 1)
    assert client.get(f"/community/places/{place.pk}/edit/").status_code == 200
    client.post(f"/community/places/{place.pk}/retire/", {"closed_on": "R8.9.30"})
    place.refresh_from_db()
    assert place.closed_on == dt.date(2026, 9, 30)
    client.force_login(intake_a)
    assert client.get("/community/places/new/").status_code == 403
    assert client.get(f"/community/places/{place.pk}/edit/").status_code == 403
