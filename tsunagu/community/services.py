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
