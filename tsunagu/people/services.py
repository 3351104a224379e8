"""Writes for persons and households."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.privacy.audit import log_action

from .models import CARE_ROLE_CHOICES, RELATION_CHOICES, Household, HouseholdMember, Person


class PersonError(DomainError):
    pass


PERSON_FIELDS = ("name", "kana", "birth_date", "sex", "address", "phone", "nationality", "language", "address_masked")


def _clean_person_data(data: dict, prefix: str = "") -> dict:
    values = {k: data.get(k) for k in PERSON_FIELDS if k in data}
    name = (values.get("name") or "").strip()
    if not name:
        raise PersonError("氏名を入力してください", field=f"{prefix}name")
    if len(name) > 100:
        raise PersonError("氏名は100文字以内で入力してください", field=f"{prefix}name")
    values["name"] = name
    birth = values.get("birth_date")
    if birth is not None and not isinstance(birth, dt.date):
        raise PersonError("生年月日の形式が正しくありません", field=f"{prefix}birth_date")
    if birth and birth > timezone.localdate():
        raise PersonError("生年月日に未来の日付は入力できません", field=f"{prefix}birth_date")
    for key in ("kana", "address", "phone", "nationality", "language", "sex"):
        if key in values:
            values[key] = (values[key] or "").strip()
    values["address_masked"] = bool(values.get("address_masked"))
    return values


def create_person(actor, data: dict, *, request=None, field_prefix: str = "") -> Person:
    if not actor.agency_id:
        raise PersonError("本人を登録するには所属機関が必要です")
    values = _clean_person_data(data, field_prefix)
    person = Person.objects.create(municipality_id=actor.municipality_id, recorded_by_agency_id=actor.agency_id,
                                   created_by=actor, **values)
    log_action("person.created", actor=actor, obj=person, request=request)
    return person


@transaction.atomic
def create_household(actor, *, head: Person, members: list[dict], request=None) -> Household:
    """A household (世帯) around `head` with new member records, e.g. an 8050 or ダブルケア household.

    Each member dict: name, kana, birth_date, relation (続柄 from the head), care_roles, lives_together.
    """
    household = Household.objects.create(municipality_id=actor.municipality_id, label=f"{head.name}さん世帯",
                                         recorded_by_agency_id=actor.agency_id)
    HouseholdMember.objects.create(municipality_id=actor.municipality_id, household=household, person=head,
                                   relation="本人", care_roles=[])
    relations = dict(RELATION_CHOICES)
    for i, member in enumerate(members):
        relation = member.get("relation") or ""
        if relation not in relations:
            raise PersonError(f"世帯員{i + 1}の続柄を選んでください", field=f"member{i + 1}_relation")
        roles = list(member.get("care_roles") or [])
        bad = [r for r in roles if r not in CARE_ROLE_CHOICES]
        if bad:
            raise PersonError(f"世帯員{i + 1}のケアの状況「{bad[0]}」は選べません", field=f"member{i + 1}_care_roles")
        person = create_person(actor, member, request=request, field_prefix=f"member{i + 1}_")
        HouseholdMember.objects.create(municipality_id=actor.municipality_id, household=household, person=person,
                                       relation=relation, care_roles=roles,
                                       lives_together=member.get("lives_together", True))
    log_action("household.created", actor=actor, obj=household, request=request,
               detail={"head": head.pk, "members": len(members)})
    return household
