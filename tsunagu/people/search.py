"""Finding persons among those the user may see: kanji or kana, width- and 異体字-tolerant."""

from __future__ import annotations

from django.db.models import Q

from tsunagu.core import text

from .models import Person


def search_persons(user, query: str, *, limit: int = 30):
    keys = text.search_keys(query or "")
    name, kana = keys.get("name", ""), keys.get("kana", "")
    if not name and not kana:
        return Person.objects.none()
    q = Q()
    if name:
        q |= Q(name_key__contains=name)
    if kana:
        q |= Q(kana_key__startswith=kana) | Q(name_key__contains=kana)
    return Person.objects.visible_to(user).filter(q).order_by("kana_key", "id")[:limit]
