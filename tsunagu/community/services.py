"""Writes for 地域づくり: usage figures of places, and the status of 地域課題 (把握 → 検討中 → 開発済)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tsunagu.core.errors import DomainError
from tsunagu.directory.names import role_title
from tsunagu.meetings.models import ResourceGap
from tsunagu.privacy.audit import log_action

from .models import Place, UsageRecord


class CommunityError(DomainError):
    pass


GAP_ORDER = [code for code, _ in ResourceGap.STATUS_CHOICES]  # 把握 → 検討中 → 開発済


def can_edit(user) -> bool:
    return bool(user.is_authenticated and user.municipality_id
                and user.has_role_kind("community", "participation", "coordinator", "manager"))


def _require(actor):
    if not can_edit(actor):
        m = actor.municipality
        raise PermissionDenied(f"この操作は{role_title(m, 'community')}・{role_title(m, 'participation')}・"
                               f"{role_title(m, 'coordinator')}か{role_title(m, 'manager')}だけが行えます")


@transaction.atomic
def record_usage(actor, place: Place, *, period_start: dt.date, period_end: dt.date, groups: int = 0,
                 participants: int = 0, total_visits: int = 0, note: str = "", request=None) -> UsageRecord:
    _require(actor)
    if place.municipality_id != actor.municipality_id:
        raise CommunityError("拠点が見つかりません", field="place")
    if period_start is None:
        raise CommunityError("期間の開始日を入力してください", field="period_start")
    if period_end is None:
        raise CommunityError("期間の終了日を入力してください", field="period_end")
    if period_end < period_start:
        raise CommunityError("期間の終了日は開始日より後にしてください", field="period_end")
    for field, value in (("groups", groups), ("participants", participants), ("total_visits", total_visits)):
        if value is None or value < 0:
            raise CommunityError("0以上の数を入力してください", field=field)
    if total_visits < participants:
        raise CommunityError("延べ利用者数は参加者数（実人数）以上になります", field="total_visits")
    if UsageRecord.objects.filter(place=place, period_start=period_start, period_end=period_end).exists():
        raise CommunityError("この期間の利用実績はすでに記録されています", field="period_start")
    record = UsageRecord.objects.create(
        municipality_id=place.municipality_id, place=place, period_start=period_start, period_end=period_end,
        groups=groups, participants=participants, total_visits=total_visits, note=(note or "").strip(),
        recorded_by=actor)
    log_action("community.usage_recorded", actor=actor, obj=place, request=request,
               detail={"usage": record.pk, "total_visits": total_visits})
    return record


@transaction.atomic
def change_gap_status(actor, gap: ResourceGap, *, status: str, request=None) -> ResourceGap:
    _require(actor)
    gap = ResourceGap.objects.select_for_update().get(pk=gap.pk, municipality_id=actor.municipality_id)
    if status not in GAP_ORDER:
        raise CommunityError("状態を選んでください", field="status")
    if GAP_ORDER.index(status) != GAP_ORDER.index(gap.status) + 1:
        raise CommunityError(f"「{gap.get_status_display()}」からは「{dict(ResourceGap.STATUS_CHOICES)[status]}」"
                             "に進めません（把握 → 検討中 → 開発済の順です）", field="status")
    old = gap.status
    gap.status = status
    gap.save(update_fields=["status"])
    log_action("resource_gap.status_changed", actor=actor, obj=gap, request=request,
               detail={"from": old, "to": status})
    return gap


# ------------------------------------------------------------------------------------------------ places on screen

PLACE_FIELDS = ("name", "kind", "district", "operator", "address", "phone", "audience", "schedule", "opened_on",
                "note")


def can_maintain_places(user) -> bool:
    return bool(user.is_authenticated and user.municipality_id and not user.municipality.is_prefecture
                and user.has_role_kind("community", "manager"))


def _require_places(actor):
    if not can_maintain_places(actor):
        m = actor.municipality
        raise PermissionDenied(f"拠点を登録・編集できるのは{role_title(m, 'community')}か{role_title(m, 'manager')}です")


def _clean_place(actor, values: dict) -> dict:
    values = {k: values.get(k) for k in PLACE_FIELDS}
    for k in ("name", "kind", "operator", "address", "phone", "audience", "schedule", "note"):
        values[k] = (values[k] or "").strip()
    if not values["name"]:
        raise CommunityError("名称を入力してください", field="name")
    if not values["kind"]:
        raise CommunityError("種類を入力してください（例: 通いの場、サロン）", field="kind")
    district = values["district"]
    if district is not None and district.municipality_id != actor.municipality_id:
        raise CommunityError("地区が見つかりません", field="district")
    if values["opened_on"] is None:
        raise CommunityError("開設日を入力してください（年度ごとの箇所数に使います）", field="opened_on")
    return values


@transaction.atomic
def create_place(actor, *, request=None, **values) -> Place:
    """A place added on screen: the profile load leaves it alone (never overwrites, closes or deactivates it)."""
    import secrets

    from django.utils import timezone

    _require_places(actor)
    values = _clean_place(actor, values)
    place = Place.objects.create(municipality_id=actor.municipality_id, code=f"local-{secrets.token_hex(5)}",
                                 edited_by=actor, edited_at=timezone.now(), **values)
    log_action("community.place_created", actor=actor, obj=place, request=request)
    return place


@transaction.atomic
def update_place(actor, place: Place, *, request=None, edit_version: str | None = None, **values) -> Place:
    from django.utils import timezone

    from tsunagu.core import concurrency

    _require_places(actor)
    place = Place.objects.select_for_update().get(pk=place.pk, municipality_id=actor.municipality_id)
    values = _clean_place(actor, values)
    concurrency.guard(place, PLACE_FIELDS, edit_version, values)
    changed = [k for k in PLACE_FIELDS if getattr(place, k) != values[k]]
    for k in PLACE_FIELDS:
        setattr(place, k, values[k])
    place.edited_by, place.edited_at = actor, timezone.now()
    place.save(update_fields=[*PLACE_FIELDS, "edited_by", "edited_at"])
    log_action("community.place_updated", actor=actor, obj=place, request=request, detail={"changed": changed})
    return place


@transaction.atomic
def retire_place(actor, place: Place, *, closed_on: dt.date, request=None) -> Place:
    """廃止: the place stops counting after `closed_on`; it stays in the years it was open (nothing is deleted)."""
    from django.utils import timezone

    _require_places(actor)
    place = Place.objects.select_for_update().get(pk=place.pk, municipality_id=actor.municipality_id)
    if closed_on is None:
        raise CommunityError("廃止日を入力してください", field="closed_on")
    if place.closed_on is not None:
        raise CommunityError("この拠点はすでに廃止されています", field="closed_on")
    if place.opened_on and closed_on < place.opened_on:
        raise CommunityError("廃止日は開設日より後にしてください", field="closed_on")
    place.closed_on, place.edited_by, place.edited_at = closed_on, actor, timezone.now()
    place.save(update_fields=["closed_on", "edited_by", "edited_at"])
    log_action("community.place_retired", actor=actor, obj=place, request=request,
               detail={"closed_on": closed_on.isoformat()})
    return place
