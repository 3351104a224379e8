"""What a reviewer sees of a candidate pair: only what is needed to decide (no 主訴, no 要配慮個人情報).

Name, reading, birth date, sex, the town (not the house number; nothing when the address is masked for
DV/虐待), whether a phone number is on file, and which agencies hold records of the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tsunagu.intake.models import Consultation
from tsunagu.people.models import Person

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


def summaries(municipality_id: int, person_ids) -> dict[int, PersonSummary]:
    ids = set(person_ids)
    if not ids:
        return {}
    towns = dict(MatchKey.objects.filter(person_id__in=ids).values_list("person_id", "address_key"))
    agencies: dict[int, set[str]] = {}
    for pid, agency in (Consultation.objects.filter(municipality_id=municipality_id, person_id__in=ids)
                        .values_list("person_id", "agency__name").distinct()):
        agencies.setdefault(pid, set()).add(agency)
    out = {}
    for p in (Person.objects.filter(municipality_id=municipality_id, pk__in=ids)
              .select_related("recorded_by_agency")
              .only("id", "name", "kana", "birth_date", "sex", "address_masked", "phone", "recorded_by_agency__name")):
        town = (towns.get(p.pk) or "").rstrip("0123456789-")
        names = agencies.get(p.pk, set()) | {p.recorded_by_agency.name}
        out[p.pk] = PersonSummary(
            id=p.pk, name=p.name, kana=p.kana, birth_date=p.birth_date, sex=p.get_sex_display() if p.sex else "",
            district="（住所秘匿）" if p.address_masked else (town or "—"), has_phone=bool(p.phone),
            agencies=sorted(names))
    return out
