"""Corrections with history (訂正と履歴): every change of a record keeps the earlier version.

A correction is written by the service of the record's app, which checks G1 (only the agency that recorded a
record corrects it), locks the row, refuses a conflicting edit (core.concurrency) and then calls `record` here
with the fields that changed. `record` stores one Revision (who, when, what, why) and tells the agencies that
received the record (`notify`): those whose active grant opens a class of a changed field.

Reads follow the record's grant: `history` is given the classes the reader sees of the record (from the
record's fetch-and-authorise helper) and shows only changes of those classes; a version with nothing visible
is left out, reason included (a reason may speak of what is hidden).

privacy imports no domain app: records are named by strings ("person", "consultation" …) and ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from tsunagu.core.concurrency import display
from tsunagu.core.errors import DomainError

from . import access

RECORD_LABELS = {"person": "本人", "household": "世帯", "consultation": "相談", "assessment": "アセスメント",
                 "plan": "支援プラン（案）", "note": "支援経過記録"}
# The record type whose grants decide who sees a record's history (access.RECORD_COLUMN).
GRANT_RECORD = {"person": "person", "household": "household", "consultation": "consultation", "assessment": "case",
                "plan": "case", "note": "case"}


class CorrectionError(DomainError):
    pass


@dataclass(frozen=True)
class FieldSpec:
    """One correctable field: its label, its class (ACCESS.md §1), and `locates` for the address and phone (the
    ADDRESS class whenever the person is masked, BASIC otherwise)."""

    name: str
    label: str
    cls: str
    locates: bool = False
    text: object = None  # value -> text as shown (choices); default core.concurrency.display


def _plain(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def datetime_text(value) -> str:
    """A date and time as a person reads it (和暦 and the local time)."""
    from tsunagu.core.wareki import format_wareki

    if not value:
        return "（なし）"
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_wareki(value)} {value:%H:%M}"


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionError("訂正の理由を入力してください", field="reason")
    if len(reason) > 1000:
        raise CorrectionError("訂正の理由は1000文字以内で入力してください", field="reason")
    return reason


def changes(obj, specs: list[FieldSpec], values: dict, *, masked: bool = False) -> list[dict]:
    """The fields of `obj` whose value in `values` differs from the stored one, as stored in a Revision."""
    out = []
    for s in specs:
        if s.name not in values:
            continue
        old, new = getattr(obj, s.name), values[s.name]
        if _plain(old) == _plain(new):
            continue
        shown = s.text or display
        out.append({"field": s.name, "label": s.label,
                    "class": access.ADDRESS if (s.locates and masked) else s.cls, "locates": s.locates,
                    "old": _plain(old), "new": _plain(new), "old_text": shown(old), "new_text": shown(new)})
    return out


def record(actor, *, record_type: str, record_id: int, person_id: int, municipality_id: int, diff: list[dict],
           reason: str, masked: bool = False, notify_grants: bool = True, grant_record_id: int | None = None):
    """Store one Revision of a record (the caller holds the row lock) and tell the receiving agencies.
    `grant_record_id`: the id of the record whose grants open this one (the case of a plan or note)."""
    from .models import Revision

    last = Revision.objects.filter(record_type=record_type, record_id=record_id).aggregate(v=Max("version"))["v"]
    revision = Revision.objects.create(
        municipality_id=municipality_id, record_type=record_type, record_id=record_id, person_id=person_id,
        version=(last or 1) + 1, changes=diff, address_masked=masked, reason=reason, actor=actor,
        actor_agency_id=actor.agency_id, created_at=timezone.now())
    if notify_grants:
        notify(revision, grant_record=GRANT_RECORD[record_type], grant_record_id=grant_record_id or record_id)
    return revision


def apply(actor, obj, specs: list[FieldSpec], values: dict, *, record_type: str, person_id: int | None, reason: str,
          error: type, masked: bool = False, grant_record_id: int | None = None, request=None,
          detail: dict | None = None):
    """The common end of every 訂正 (the caller has checked who may correct, validated `values`, locked `obj` and
    guarded its edit version): the changed fields (`error` when nothing changed), the save, the Revision (which
    tells the receiving agencies) and the audit entry. Returns the Revision."""
    from .audit import log_action

    diff = changes(obj, specs, values, masked=masked)
    if not diff:
        raise error("変更された項目がありません")
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save(update_fields=list(values))
    revision = record(actor, record_type=record_type, record_id=obj.pk, person_id=person_id,
                      municipality_id=obj.municipality_id, diff=diff, reason=reason, masked=masked,
                      grant_record_id=grant_record_id)
    log_action("record.corrected", actor=actor, obj=obj, request=request, subject_person_id=person_id,
               detail={"record": record_type, **(detail or {}), "version": revision.version,
                       "fields": [c["field"] for c in diff], "notified": revision.notices.count()})
    return revision


def agency_classes(municipality_id: int, record_type: str, record_id: int) -> dict[int, set]:
    """Classes of one record that each agency's stored active grants open (the agencies that received it)."""
    from .models import Grant

    column = access.RECORD_COLUMN[record_type]
    out: dict[int, set] = {}
    for g in Grant.objects.filter(access.active_q(), municipality_id=municipality_id,
                                  agency_id__isnull=False, **{column: record_id}):
        opened = access.KINDS[g.kind].opens.get(record_type)
        if opened:
            out.setdefault(g.agency_id, set()).update(opened | ({access.ADDRESS} if g.address else set()))
    return out


def notify(revision, *, grant_record: str, grant_record_id: int) -> list:
    """A notice to each agency (other than the one correcting) that holds a grant opening a changed field."""
    from .models import CorrectionNotice

    changed = {c["class"] for c in revision.changes}
    now = timezone.now()
    notices = [CorrectionNotice(municipality_id=revision.municipality_id, revision=revision, agency_id=agency_id,
                                created_at=now)
               for agency_id, classes in sorted(agency_classes(revision.municipality_id, grant_record,
                                                               grant_record_id).items())
               if agency_id != revision.actor_agency_id and changed & classes]
    CorrectionNotice.objects.bulk_create(notices)
    return notices


def visible_changes(revision, classes: frozenset, *, masked_now: bool = False) -> list[dict]:
    out = []
    for c in revision.changes:
        cls = access.ADDRESS if c.get("locates") and (masked_now or revision.address_masked) else c["class"]
        if cls in classes:
            out.append(c)
    return out


def history(record_type: str, record_id: int, classes: frozenset, *, municipality_id: int,
            masked_now: bool = False) -> list[dict]:
    """The versions of a record as far as `classes` (what the reader sees of it) allow, newest first."""
    from .models import Revision

    out = []
    for rev in (Revision.objects.filter(municipality_id=municipality_id, record_type=record_type,
                                        record_id=record_id)
                .select_related("actor", "actor_agency").order_by("-version")):
        shown = visible_changes(rev, classes, masked_now=masked_now)
        if shown:
            out.append({"revision": rev, "changes": shown})
    return out


def notices_for(user, *, unread_only: bool = False):
    """The correction notices of the user's agency (casework roles only)."""
    from .models import CorrectionNotice

    if not getattr(user, "is_casework", False) or not user.agency_id:
        return CorrectionNotice.objects.none()
    qs = CorrectionNotice.objects.filter(municipality_id=user.municipality_id, agency_id=user.agency_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("revision", "revision__actor_agency", "revision__person").order_by("-created_at", "-id")
