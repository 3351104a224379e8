"""Choices for the filter bars of the lists (tsunagu.core.listing): the municipality's agencies, 地区 and staff.
Directory data only — no personal data of residents."""

from __future__ import annotations

from .models import Agency, District, Staff


def agency_choices(user) -> list:
    return [(a.pk, a.name) for a in Agency.objects.filter(municipality_id=user.municipality_id, active=True)
            .only("pk", "name", "sort_order")]


def district_choices(user) -> tuple[list, dict]:
    """(choices, {district id: 住所キー}) of the user's municipality."""
    districts = list(District.objects.filter(municipality_id=user.municipality_id, active=True))
    return [(d.pk, d.name) for d in districts], {d.pk: list(d.match_keys or []) for d in districts}


def staff_choices(user) -> list:
    """The staff of the user's own agency."""
    return [(s.pk, str(s)) for s in Staff.objects.filter(municipality_id=user.municipality_id,
                                                        agency_id=user.agency_id, is_active=True)
            .order_by("username").only("pk", "username", "display_name")]
