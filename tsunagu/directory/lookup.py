"""この住所の担当は? — address → district → responsible agency per field."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .models import Agency, District

FIELDS = ["介護", "障がい", "子ども", "困窮", "その他"]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text).replace("ケ", "ヶ").replace("ヵ", "ヶ")


def address_remainder(municipality, address: str) -> str:
    """The part of an address after the prefecture and the municipality name."""
    s = _norm(address)
    for prefix in (municipality.prefecture_name, municipality.name):
        p = _norm(prefix)
        if p and s.startswith(p):
            s = s[len(p):]
    return s


def find_district(municipality, address: str) -> District | None:
    rest = address_remainder(municipality, address)
    if not rest:
        return None
    best: tuple[int, District] | None = None
    for district in District.objects.for_municipality(municipality).filter(active=True):
        for key in district.match_keys:
            k = _norm(key)
            if k and rest.startswith(k) and (best is None or len(k) > best[0]):
                best = (len(k), district)
    return best[1] if best else None


@dataclass
class LookupResult:
    address: str
    district: District | None
    by_field: dict[str, list[Agency]] = field(default_factory=dict)


def responsible_agencies(municipality, address: str) -> LookupResult:
    """For each field, the 包括的相談支援 agencies responsible for this address.

    An agency with 担当地区 is responsible only for its districts; one serving 全市 for every address.
    When a field has district-bound agencies, they take precedence over city-wide ones of the same field.
    """
    district = find_district(municipality, address)
    result = LookupResult(address=address, district=district)
    agencies = (
        Agency.objects.for_municipality(municipality).filter(active=True).prefetch_related("districts")
    )
    candidates = [a for a in agencies if "包括的相談支援" in a.kinds]
    for f in FIELDS:
        in_field = [a for a in candidates if f in a.fields]
        local = [a for a in in_field if not a.serves_all and district is not None
                 and any(d.id == district.id for d in a.districts.all())]
        if local:
            result.by_field[f] = local
        else:
            city_wide = [a for a in in_field if a.serves_all]
            if city_wide:
                result.by_field[f] = city_wide
    return result
