"""地域づくり: places by district, usage figures, 地域課題 status, and the map-free district view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tsunagu.community import services
from tsunagu.community.districts import district_rows
from tsunagu.community.models import Place, UsageRecord
from tsunagu.community.services import CommunityError
from tsunagu.meetings.models import ResourceGap

from .program_fixtures import days_ago, district

pytestmark = pytest.mark.django_db


@pytest.fixture
def chiiki(imizu, make_staff):
    from .conftest import agency_named

    return make_staff(imizu, "chiiki", "community", agency_named(imizu, "社会福祉協議会"), "地域 翔")


def cafe_place(imizu):
    return Place.objects.for_municipality(imizu).get(code="steppi-cafe")


def test_it_records_usage_and_shows_places_by_kind_per_district(chiiki, imizu, client):
    place = cafe_place(imizu)
    services.record_usage(chiiki, place, period_start=days_ago(30), period_end=days_ago(1), groups=1,
                          participants=12, total_visits=48)
    row = next(r for r in district_rows(imizu, days_ago(0)) if r.district and r.district.code == "hyoguri")
    assert place in row.places_by_kind["居場所"] and row.total_visits == 48 and row.participants == 12
    client.force_login(chiiki)
    page = client.get(reverse("district_view")).content.decode()
    assert "戸破地区" in page and "すてっぴカフェ" in page and "48人" in page
    detail = client.get(reverse("place_detail", args=[place.pk])).content.decode()
    assert "48" in detail and "利用実績を記録" in detail


def test_usage_errors_are_japanese_and_keep_input(chiiki, imizu, client, intake_a):
    place = cafe_place(imizu)
    with pytest.raises(CommunityError) as exc:
        services.record_usage(chiiki, place, period_start=days_ago(1), period_end=days_ago(5))
    assert exc.value.field == "period_end"
    with pytest.raises(CommunityError) as exc:
        services.record_usage(chiiki, place, period_start=days_ago(5), period_end=days_ago(1), participants=10,
                              total_visits=3)
    assert exc.value.field == "total_visits"
    with pytest.raises(PermissionDenied):
        services.record_usage(intake_a, place, period_start=days_ago(5), period_end=days_ago(1))
    client.force_login(chiiki)
    response = client.post(reverse("place_detail", args=[place.pk]), {
        "period_start": days_ago(5).isoformat(), "period_end": days_ago(1).isoformat(), "groups": "2",
        "participants": "10", "total_visits": "3", "note": "夏休み"})
    body = response.content.decode()
    assert response.status_code == 400 and "延べ利用者数は参加者数" in body and "夏休み" in body
    assert not UsageRecord.objects.exists()
    client.force_login(intake_a)
    assert client.post(reverse("place_detail", args=[place.pk]), {}).status_code == 403


def test_gap_status_moves_forward_only(chiiki, imizu, client, fussa_staff):
    gap = ResourceGap.objects.create(municipality=imizu, title="夜間の居場所がない", district=district(imizu, "oshima"),
                                     recorded_by=chiiki)
    with pytest.raises(CommunityError):
        services.change_gap_status(chiiki, gap, status="developed")
    client.force_login(chiiki)
    assert client.post(reverse("gap_status", args=[gap.pk]), {"status": "studying"}).status_code == 302
    gap.refresh_from_db()
    assert gap.status == "studying"
    services.change_gap_status(chiiki, gap, status="developed")
    row = next(r for r in district_rows(imizu, days_ago(0)) if r.district and r.district.code == "oshima")
    assert row.gaps == []  # 開発済 no longer shows as lacking
    assert "夜間の居場所がない" in client.get(reverse("gap_list")).content.decode()
    client.force_login(fussa_staff)  # another municipality sees neither the gap nor the place
    assert client.post(reverse("gap_status", args=[gap.pk]), {"status": "developed"}).status_code == 404
    assert "夜間の居場所がない" not in client.get(reverse("district_view")).content.decode()
    assert client.get(reverse("place_detail", args=[cafe_place(imizu).pk])).status_code == 404
