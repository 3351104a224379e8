"""Fetch-and-authorise for persons and households (ACCESS.md): 404 when the user holds no grant on them."""

from __future__ import annotations

from django.http import Http404

from tsunagu.privacy import access

from .models import Person


def access_person_by_id(user, person_id) -> tuple[Person, access.Sight]:
    """The person and what the user sees of them; 404 unless at least their ID is granted (G15)."""
    try:
        person = Person.objects.select_related("recorded_by_agency").get(
            pk=person_id, municipality_id=getattr(user, "municipality_id", None) or -1)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("本人の記録が見つからないか、閲覧する権限がありません") from None
    sight = access.sight(user, person)
    if not sight.person(person).visible:
        raise Http404("本人の記録が見つからないか、閲覧する権限がありません")
    return person, sight


def person_views(user, persons) -> dict[int, access.PersonView]:
    """What the user sees of each person, by pk (one query for all of them)."""
    persons = list(persons)
    found = access.sights(user, persons)
    return {p.pk: found[p.pk].person(p) for p in persons}


def household_members(sight: access.Sight, household):
    """(members, care roles visible) of a household as far as the sight allows: composition is BASIC of the
    household record, the members' care roles (「母 障がい」) SENSITIVE (ACCESS.md §1)."""
    classes = sight.classes("household", household.pk, owner_agency_id=household.recorded_by_agency_id)
    if access.BASIC not in classes:
        return [], False
    return list(household.members.select_related("person")), access.SENSITIVE in classes
