"""Writes for persons and households."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.privacy import access, corrections
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


# ------------------------------------------------------------------------------------------------ 訂正

def _sex_text(value):
    return dict(Person.SEX_CHOICES).get(value or "", value) if value else "（なし）"


PERSON_CORRECTION = [
    corrections.FieldSpec("name", "氏名", access.ID), corrections.FieldSpec("kana", "フリガナ", access.ID),
    corrections.FieldSpec("birth_date", "生年月日", access.BASIC),
    corrections.FieldSpec("sex", "性別", access.BASIC, text=_sex_text),
    corrections.FieldSpec("address", "住所", access.BASIC, locates=True),
    corrections.FieldSpec("phone", "電話", access.BASIC, locates=True),
    corrections.FieldSpec("nationality", "国籍", access.BASIC),
    corrections.FieldSpec("language", "使用言語", access.BASIC),
    corrections.FieldSpec("address_masked", "住所を秘匿（DV・虐待）", access.ADDRESS),
]
HOUSEHOLD_CORRECTION = [corrections.FieldSpec("label", "世帯名", access.BASIC)]


def _require_owner(actor, agency_id, what: str):
    if not access.owns(actor, agency_id):
        raise PermissionDenied(f"{what}を訂正できるのは、記録した機関の相談支援の職員だけです")


@transaction.atomic
def correct_person(actor, person: Person, data: dict, *, reason: str, edit_version: str | None = None,
                   request=None) -> Person:
    """訂正: the recording agency changes a person record; the earlier values stay in the history."""
    _require_owner(actor, person.recorded_by_agency_id, "本人の記録")
    reason = corrections.require_reason(reason)
    values = _clean_person_data({k: data.get(k) for k in PERSON_FIELDS})
    person = Person.objects.select_for_update().get(pk=person.pk)
    concurrency.guard(person, PERSON_FIELDS, edit_version, values)
    corrections.apply(actor, person, PERSON_CORRECTION, values, record_type="person", person_id=person.pk,
                      reason=reason, error=PersonError,
                      masked=person.address_masked or values["address_masked"], request=request)
    return person


@transaction.atomic
def correct_household(actor, household: Household, data: dict, *, reason: str, edit_version: str | None = None,
                      request=None) -> Household:
    _require_owner(actor, household.recorded_by_agency_id, "世帯の記録")
    reason = corrections.require_reason(reason)
    label = (data.get("label") or "").strip()
    if not label:
        raise PersonError("世帯名を入力してください", field="label")
    if len(label) > 100:
        raise PersonError("世帯名は100文字以内で入力してください", field="label")
    household = Household.objects.select_for_update().get(pk=household.pk)
    concurrency.guard(household, ["label"], edit_version, {"label": label})
    head = household.members.filter(relation="本人").values_list("person_id", flat=True).first() or \
        household.members.values_list("person_id", flat=True).first()
    corrections.apply(actor, household, HOUSEHOLD_CORRECTION, {"label": label}, record_type="household",
                      person_id=head, reason=reason, error=PersonError, request=request)
    return household
