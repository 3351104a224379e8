"""Comparison keys of persons (MatchKey rows) and Features built from them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from tsunagu.core import text

from . import matching
from .models import MatchKey

KEY_VERSION = "2"  # bump to re-key every record when the key functions change


def drop_prefixes(municipality) -> tuple[str, ...]:
    return (municipality.name,) if municipality is not None else ()


def _source_hash(p) -> str:
    raw = "\x1f".join((KEY_VERSION, p.name, p.kana, str(p.birth_date or ""), p.address, p.phone, p.sex))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def key_values(p, prefixes: tuple[str, ...]) -> dict:
    f = matching.features(p.pk or 0, name=p.name, kana=p.kana, birth_date=p.birth_date, address=p.address,
                          phone=p.phone, sex=p.sex, drop_prefixes=prefixes)
    return {
        "name_key": f.nk[:100], "name_sei": f.ns[:60], "name_mei": f.ng[:60], "kana_key": f.kk[:100],
        "kana_sei": f.ks[:60], "kana_mei": f.kg[:60], "birth_date": p.birth_date,
        "address_key": (f.ak or (text.address_key(p.address, drop_prefixes=prefixes) if p.address else ""))[:200],
        "phone_key": f.pk[:40], "sex": f.sex,
    }


def save_key(person) -> None:
    values = key_values(person, drop_prefixes(person.municipality))
    values["source"] = _source_hash(person)
    MatchKey.objects.update_or_create(person_id=person.pk, defaults={"municipality_id": person.municipality_id,
                                                                     **values})


def refresh_keys(municipality, persons: Iterable, *, progress: Callable[[str], None] | None = None,
                 batch: int = 2000) -> tuple[int, int]:
    """Create or update the keys of `persons` whose source changed. Returns (created, updated)."""
    prefixes = drop_prefixes(municipality)
    existing = dict(MatchKey.objects.filter(municipality=municipality).values_list("person_id", "source"))
    new, changed = [], []
    created = updated = 0
    for p in persons:
        source = _source_hash(p)
        if existing.get(p.pk) == source:
            continue
        row = MatchKey(person_id=p.pk, municipality_id=municipality.pk, source=source, **key_values(p, prefixes))
        (changed if p.pk in existing else new).append(row)
        if len(new) >= batch:
            MatchKey.objects.bulk_create(new)
            created += len(new)
            new = []
        if len(changed) >= batch:
            _bulk_update(changed)
            updated += len(changed)
            changed = []
    if new:
        MatchKey.objects.bulk_create(new)
        created += len(new)
    if changed:
        _bulk_update(changed)
        updated += len(changed)
    if progress and (created or updated):
        progress(f"比較キー: 新規 {created:,} 件・更新 {updated:,} 件")
    return created, updated


_UPDATE_FIELDS = ["name_key", "name_sei", "name_mei", "kana_key", "kana_sei", "kana_mei", "birth_date",
                  "address_key", "phone_key", "sex", "source"]


def _bulk_update(rows: list[MatchKey]) -> None:
    MatchKey.objects.bulk_update(rows, _UPDATE_FIELDS, batch_size=500)


# MatchKey columns that make Features, in the order features_of_row unpacks them.
FEATURE_FIELDS = ("person_id", "name_key", "name_sei", "name_mei", "kana_key", "kana_sei", "kana_mei",
                  "birth_date", "address_key", "phone_key", "sex")


def features_of_row(r: tuple) -> matching.Features:
    """Features from MatchKey values read with values_list(*FEATURE_FIELDS) (no re-normalising: the keys are
    already made)."""
    pid, nk, ns, ng, kk, ks, kg, bd, ak, pk, sex = r
    f = matching.Features(pid, nk=nk, ns=ns, ng=ng, kk=kk, ks=ks, kg=kg, pk=pk, sex=sex)
    if bd is not None:
        f.bd = (bd.year, bd.month, bd.day)
    if ak:
        f.ak, f.town, f.blk = matching.address_fields(ak)
    return f


def features_of(row: dict) -> matching.Features:
    """features_of_row for MatchKey values read with values(*FEATURE_FIELDS)."""
    return features_of_row(tuple(row[field] for field in FEATURE_FIELDS))
