"""What the data steward sees of a candidate pair (ACCESS.md G14): only what is needed to decide.

Name, reading, birth date, sex, the town (not the house number; nothing when the address is masked for
DV/虐待), whether a phone number is on file. Which agency holds the record only where the steward's own grants
already show that record; otherwise 「他機関の記録」 (the agency itself can say 障がい, こども … ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tsunagu.people.models import Person
from tsunagu.people.policy import person_views

from .matching import address_fields
from .models import MatchKey


@dataclass
class PersonSummary:
    id: int
    name: str
    kana: str
    birth_date: object
    sex: str
    district: str
    has_phone: bool
    agencies: list[str] = field(default_factory=list)


OTHER_AGENCY = "他機関の記録"


def summaries(user, person_ids) -> dict[int, PersonSummary]:
    ids = set(person_ids)
    if not ids:
        return {}
    towns = dict(MatchKey.objects.filter(person_id__in=ids).values_list("person_id", "address_key"))
    persons = list(Person.objects.filter(municipality_id=user.municipality_id, pk__in=ids)
                   .select_related("recorded_by_agency")
                   .only("id", "name", "kana", "birth_date", "sex", "address_masked", "phone",
                         "recorded_by_agency_id", "recorded_by_agency__name"))
    views = person_views(user, persons)
    out = {}
    for p in persons:
        town = address_fields(towns.get(p.pk) or "")[1]  # the town before any number: no house number, no more
        out[p.pk] = PersonSummary(
            id=p.pk, name=p.name, kana=p.kana, birth_date=p.birth_date, sex=p.get_sex_display() if p.sex else "",
            district="（住所秘匿）" if p.address_masked else (town or "—"), has_phone=bool(p.phone),
            agencies=[p.recorded_by_agency.name if views[p.pk].visible else OTHER_AGENCY])
    return out
