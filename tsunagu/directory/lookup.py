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


def names_another_place(municipality, address: str) -> bool:
    """True for an address that begins with another prefecture (東京都千代田区… in 射水市): never this city's."""
    from tsunagu.core.text import PREFECTURES

    s = _norm(address)
    own = _norm(municipality.prefecture_name)
    return any(s.startswith(p) for p in PREFECTURES if p != own)


def address_remainder(municipality, address: str) -> str:
    """The part of an address after the prefecture and the municipality name."""
    s = _norm(address)
    for prefix in (municipality.prefecture_name, municipality.name):
        p = _norm(prefix)
        if p and s.startswith(p):
            s = s[len(p):]
    return s


# What may follow a town name in an address: a house number (算用数字・漢数字), 丁目・番地, a hyphen, 字, or nothing.
# A key matches only up to such a boundary, so 「下」 does not take 「下条」 and 「大島」 does not take 「大島北野」
# (a town that must be listed in the district's `match` to resolve).
_BOUNDARY = re.compile(r"$|[0-9０-９一二三四五六七八九十〇百千丁番号字‐－\-ー－の]")


def _key_matches(rest: str, key: str) -> bool:
    return rest.startswith(key) and _BOUNDARY.match(rest, len(key)) is not None


def find_district(municipality, address: str) -> District | None:
    rest = address_remainder(municipality, address)
    if not rest:
        return None
    best: tuple[int, District] | None = None
    for district in District.objects.for_municipality(municipality).filter(active=True):
        for key in district.match_keys:
            k = _norm(key)
            if k and _key_matches(rest, k) and (best is None or len(k) > best[0]):
                best = (len(k), district)
    return best[1] if best else None


@dataclass
class LookupResult:
    address: str
    district: District | None
    by_field: dict[str, list[Agency]] = field(default_factory=dict)
    has_districts: bool = True
    # Fields whose agencies are all district-bound while the address resolved to no district: every one of
    # them is listed as a candidate, and the page says the district could not be decided.
    candidates: set[str] = field(default_factory=set)


def responsible_agencies(municipality, address: str) -> LookupResult:
    """For each field, the 包括的相談支援 agencies responsible for this address.

    An agency with 担当地区 is responsible only for its districts; one serving 全市 for every address.
    When a field has district-bound agencies, they take precedence over city-wide ones of the same field.
    """
    district = find_district(municipality, address)
    has_districts = District.objects.for_municipality(municipality).filter(active=True).exists()
    result = LookupResult(address=address, district=district, has_districts=has_districts)
    agencies = (
        Agency.objects.for_municipality(municipality).filter(active=True).prefetch_related("districts")
    )
    candidates = [a for a in agencies if "包括的相談支援" in a.kinds]
    for f in FIELDS:
        in_field = [a for a in candidates if f in a.fields]
        local = [a for a in in_field if not a.serves_all and district is not None
                 and any(d.id == district.id for d in a.districts.all())]
        city_wide = [a for a in in_field if a.serves_all]
        if local:
            result.by_field[f] = local
        elif city_wide:
            result.by_field[f] = city_wide
        elif district is None and in_field and not names_another_place(municipality, address):
            result.by_field[f] = in_field
            result.candidates.add(f)
    return result
