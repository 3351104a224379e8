"""Writes for 参加支援: the catalog, the needs sheet, placements and their transitions, 定着支援 follow-ups,
受け入れ先支援, and "no resource fits" → 地域課題 (meetings.ResourceGap, with the district, no personal data)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.directory.names import role_title
from tsunagu.meetings.models import ResourceGap
from tsunagu.privacy.audit import log_action

from .models import (
    ACCESS,
    NEEDS,
    RESOURCE_KINDS,
    WEEKDAYS,
    CheckIn,
    HostSupport,
    NeedsSheet,
    Placement,
    Resource,
)
from .policy import access_participant_by_id, is_participation_staff


class ParticipationError(DomainError):
    pass


P = Placement
TRANSITIONS = {P.PROPOSED: {P.VISITED, P.STARTED, P.INTERRUPTED}, P.VISITED: {P.STARTED, P.INTERRUPTED},
               P.STARTED: {P.SETTLED, P.INTERRUPTED}, P.SETTLED: set(), P.INTERRUPTED: set()}
CHECKIN_SCHEDULE = (14, 30, 90)  # 定着支援: 2週間後・1か月後・3か月後


def _require_staff(actor):
    if not is_participation_staff(actor):
        raise PermissionDenied(f"この操作は{role_title(actor.municipality, 'participation')}だけが行えます")


def _check_choices(values, allowed, field, label):
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ParticipationError(f"{label}「{bad[0]}」は選べません", field=field)


def _check_district(actor, district, field="district"):
    if district is not None and district.municipality_id != actor.municipality_id:
        raise ParticipationError("地区が見つかりません", field=field)


RESOURCE_FIELDS = ("name", "kind", "host", "contact", "place", "district", "address", "schedule", "days", "capacity",
                   "conditions", "accessibility", "cost", "needs", "description")


def _require_catalog(actor, verb: str = "登録") -> None:
    if not (is_participation_staff(actor) or actor.has_role_kind("community", "manager")):
        m = actor.municipality
        raise PermissionDenied(f"社会資源を{verb}できるのは{role_title(m, 'participation')}・{role_title(m, 'community')}か"
                               f"{role_title(m, 'manager')}です")


def _clean_resource(actor, *, name: str, kind: str, host: str, contact: str = "", place=None, district=None,
                    address: str = "", schedule: str = "", days=(), capacity: int | None = None,
                    conditions: str = "", accessibility=(), cost: int = 0, needs=(), description: str = "") -> dict:
    if not (name or "").strip():
        raise ParticipationError("名称を入力してください", field="name")
    if kind not in RESOURCE_KINDS:
        raise ParticipationError("種類を選んでください", field="kind")
    if not (host or "").strip():
        raise ParticipationError("受け入れ先（運営団体）を入力してください", field="host")
    if not needs:
        raise ParticipationError("対応するニーズを一つ以上選んでください（検索とマッチングに使います）", field="needs")
    _check_choices(needs, NEEDS, "needs", "ニーズ")
    _check_choices(days, WEEKDAYS, "days", "曜日")
    _check_choices(accessibility, ACCESS, "accessibility", "配慮")
    _check_district(actor, district)
    if place is not None:
        if place.municipality_id != actor.municipality_id:
            raise ParticipationError("拠点が見つかりません", field="place")
        district = district or place.district
        address = address or place.address
    if cost is None or cost < 0:
        raise ParticipationError("費用は0円以上で入力してください", field="cost")
    return {"name": name.strip(), "kind": kind, "host": host.strip(), "contact": (contact or "").strip(),
            "place": place, "district": district, "address": (address or "").strip(),
            "schedule": (schedule or "").strip(), "days": list(days), "capacity": capacity,
            "conditions": (conditions or "").strip(), "accessibility": list(accessibility), "cost": cost,
            "needs": list(needs), "description": (description or "").strip()}


@transaction.atomic
def create_resource(actor, *, request=None, **values) -> Resource:
    _require_catalog(actor)
    resource = Resource.objects.create(municipality_id=actor.municipality_id, created_by=actor,
                                       **_clean_resource(actor, **values))
    log_action("participation.resource_created", actor=actor, obj=resource, request=request)
    return resource


@transaction.atomic
def update_resource(actor, resource: Resource, *, request=None, edit_version: str | None = None,
                    **values) -> Resource:
    """社会資源の編集 (the catalog holds no personal data); a concurrent edit raises EditConflict."""
    _require_catalog(actor, "編集")
    resource = Resource.objects.select_for_update().get(pk=resource.pk, municipality_id=actor.municipality_id)
    cleaned = _clean_resource(actor, **values)
    concurrency.guard(resource, RESOURCE_FIELDS, edit_version, cleaned)
    changed = [k for k in RESOURCE_FIELDS if getattr(resource, k) != cleaned[k]]
    for k, v in cleaned.items():
        setattr(resource, k, v)
    resource.save(update_fields=list(RESOURCE_FIELDS))
    log_action("participation.resource_updated", actor=actor, obj=resource, request=request,
               detail={"changed": changed})
    return resource


@transaction.atomic
def set_resource_accepting(actor, resource: Resource, *, accepting: bool, request=None) -> Resource:
    """受け入れ終了 (retire) or 再開: a retired resource is no longer offered; its placements stay on record."""
    _require_catalog(actor, "変更")
    resource = Resource.objects.select_for_update().get(pk=resource.pk, municipality_id=actor.municipality_id)
    if resource.active == accepting:
        raise ParticipationError("すでに受け入れ中です" if accepting else "すでに受け入れを終了しています")
    if not accepting and resource.placements.filter(status__in=Placement.OPEN_STATUSES).exists():
        raise ParticipationError("提案中・見学・参加中の人がいます。先にその参加支援を定着か中断にしてください")
    resource.active = accepting
    resource.save(update_fields=["active"])
    log_action("participation.resource_reopened" if accepting else "participation.resource_retired",
               actor=actor, obj=resource, request=request)
    return resource


NEEDS_FIELDS = ("needs", "wishes", "strengths", "district", "available_days", "max_cost", "access_needs", "notes")


@transaction.atomic
def save_needs_sheet(actor, person, *, needs, wishes: str = "", strengths: str = "", district=None,
                     available_days=(), max_cost: int | None = None, access_needs=(), notes: str = "",
                     request=None, edit_version: str | None = None) -> NeedsSheet:
    """`edit_version`: the version the form was opened on; another save since then raises EditConflict."""
    _require_staff(actor)
    access_participant_by_id(actor, person.pk)
    if not needs:
        raise ParticipationError("ニーズを一つ以上選んでください", field="needs")
    _check_choices(needs, NEEDS, "needs", "ニーズ")
    _check_choices(available_days, WEEKDAYS, "available_days", "曜日")
    _check_choices(access_needs, ACCESS, "access_needs", "配慮")
    _check_district(actor, district)
    if max_cost is not None and max_cost < 0:
        raise ParticipationError("費用の上限は0円以上で入力してください", field="max_cost")
    values = {"needs": list(needs), "wishes": (wishes or "").strip(), "strengths": (strengths or "").strip(),
              "district": district, "available_days": list(available_days), "max_cost": max_cost,
              "access_needs": list(access_needs), "notes": (notes or "").strip(), "updated_by": actor}
    type(person).objects.select_for_update().filter(pk=person.pk).first()  # serialises saves, even the first
    concurrency.guard(NeedsSheet.objects.filter(person=person).first(), NEEDS_FIELDS, edit_version, values)
    sheet, created = NeedsSheet.objects.update_or_create(
        person=person, municipality_id=person.municipality_id, defaults=values)
    log_action("participation.needs_saved", actor=actor, obj=person, request=request,
               detail={"needs": list(needs), "created": created})
    return sheet


def _consent_for_participation(person):
    for consent in person.consents.filter(withdrawn_at__isnull=True, superseded_at__isnull=True):
        if consent.allows("参加支援"):
            return consent
    return None


@transaction.atomic
def propose(actor, person, resource: Resource, *, reasons: str = "", on: dt.date | None = None,
            request=None) -> Placement:
    """Propose a resource to the person. Telling a host about the person needs their consent (R1)."""
    _require_staff(actor)
    access_participant_by_id(actor, person.pk)
    if resource is None or resource.municipality_id != actor.municipality_id:
        raise ParticipationError("社会資源が見つかりません", field="resource")
    if not resource.active:
        raise ParticipationError("この社会資源は現在受け入れをしていません", field="resource")
    if _consent_for_participation(person) is None:
        raise ParticipationError("本人同意（参加支援を含むもの）が記録されていないため、受け入れ先に提案できません",
                                 field="resource")
    if Placement.objects.filter(person=person, resource=resource, status__in=Placement.OPEN_STATUSES).exists():
        raise ParticipationError(f"{resource.name} はすでに提案中です", field="resource")
    placement = Placement.objects.create(
        municipality_id=actor.municipality_id, person=person, resource=resource, agency_id=actor.agency_id,
        match_reasons=(reasons or "").strip(), proposed_on=on or timezone.localdate(), created_by=actor)
    log_action("participation.proposed", actor=actor, obj=placement, request=request,
               detail={"person": person.pk, "resource": resource.pk})
    return placement


@transaction.atomic
def advance(actor, placement: Placement, *, status: str, on: dt.date | None = None, note: str = "",
            request=None) -> Placement:
    """提案 → 見学 → 参加開始 → 定着 / 中断. Starting schedules the 定着支援 follow-ups."""
    _require_staff(actor)
    placement = Placement.objects.select_for_update().get(pk=placement.pk, municipality_id=actor.municipality_id)
    access_participant_by_id(actor, placement.person_id)
    labels = dict(Placement.STATUS_CHOICES)
    if status not in labels:
        raise ParticipationError("状態を選んでください", field="status")
    if status not in TRANSITIONS[placement.status]:
        raise ParticipationError(f"「{placement.get_status_display()}」から「{labels[status]}」には進めません",
                                 field="status")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ParticipationError("未来の日付は入力できません", field="on")
    if on < placement.proposed_on:
        raise ParticipationError("提案日より前の日付は入力できません", field="on")
    if status == Placement.INTERRUPTED and not (note or "").strip():
        raise ParticipationError("中断の理由を入力してください（次の支援につなげるため）", field="note")
    fields = ["status"]
    if status == Placement.VISITED:
        placement.visited_on = on
        fields.append("visited_on")
    elif status == Placement.STARTED:
        placement.started_on = on
        fields.append("started_on")
        CheckIn.objects.bulk_create([CheckIn(municipality_id=placement.municipality_id, placement=placement,
                                             due_on=on + dt.timedelta(days=d)) for d in CHECKIN_SCHEDULE])
    else:
        placement.ended_on, placement.end_reason = on, (note or "").strip()
        fields += ["ended_on", "end_reason"]
        if status == Placement.INTERRUPTED:
            placement.checkins.filter(done_on__isnull=True).delete()
    placement.status = status
    placement.save(update_fields=fields)
    log_action("participation.status_changed", actor=actor, obj=placement, request=request,
               detail={"status": status, "on": on.isoformat()})
    return placement


@transaction.atomic
def record_checkin(actor, checkin: CheckIn, *, done_on: dt.date | None = None, note: str,
                   request=None) -> CheckIn:
    _require_staff(actor)
    checkin = CheckIn.objects.select_for_update().select_related("placement").get(
        pk=checkin.pk, municipality_id=actor.municipality_id)
    access_participant_by_id(actor, checkin.placement.person_id)
    if checkin.done_on:
        raise ParticipationError("この定着支援はすでに記録されています")
    if not (note or "").strip():
        raise ParticipationError("本人の様子を入力してください", field="note")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ParticipationError("実施日に未来の日付は入力できません", field="done_on")
    if checkin.placement.started_on and done_on < checkin.placement.started_on:
        raise ParticipationError("実施日は参加開始日より後の日付にしてください", field="done_on")
    checkin.done_on, checkin.note, checkin.done_by = done_on, note.strip(), actor
    checkin.save(update_fields=["done_on", "note", "done_by"])
    log_action("participation.checkin_done", actor=actor, obj=checkin.placement, request=request,
               detail={"checkin": checkin.pk})
    return checkin


@transaction.atomic
def record_host_support(actor, resource: Resource, *, kind: str, concern: str, response: str = "",
                        occurred_on: dt.date | None = None, placement: Placement | None = None,
                        request=None) -> HostSupport:
    _require_staff(actor)
    if resource.municipality_id != actor.municipality_id:
        raise ParticipationError("受け入れ先が見つかりません", field="resource")
    if kind not in dict(HostSupport.KIND_CHOICES):
        raise ParticipationError("種類を選んでください", field="kind")
    if not (concern or "").strip():
        raise ParticipationError("受け入れ先の懸念・相談を入力してください", field="concern")
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ParticipationError("実施日に未来の日付は入力できません", field="occurred_on")
    if placement is not None and placement.resource_id != resource.pk:
        raise ParticipationError("この受け入れ先の参加支援を選んでください", field="placement")
    support = HostSupport.objects.create(
        municipality_id=actor.municipality_id, resource=resource, placement=placement, occurred_on=occurred_on,
        kind=kind, concern=concern.strip(), response=(response or "").strip(), recorded_by=actor)
    log_action("participation.host_support_recorded", actor=actor, obj=resource, request=request,
               detail={"support": support.pk, "placement": placement.pk if placement else None})
    return support


@transaction.atomic
def record_unmet_need(actor, sheet: NeedsSheet, *, title: str, note: str = "", request=None) -> ResourceGap:
    """メニューづくり: no resource fits → a 地域課題 for the district. The gap carries needs, not the person."""
    _require_staff(actor)
    access_participant_by_id(actor, sheet.person_id)
    if not (title or "").strip():
        raise ParticipationError("不足している資源（地域課題）を入力してください", field="title")
    parts = [f"ニーズ: {'・'.join(sheet.needs)}"]
    if sheet.available_days:
        parts.append(f"参加できる曜日: {'・'.join(sheet.available_days)}")
    if sheet.access_needs:
        parts.append(f"必要な配慮: {'・'.join(sheet.access_needs)}")
    if (note or "").strip():
        parts.append(note.strip())
    gap = ResourceGap.objects.create(municipality_id=actor.municipality_id, title=title.strip()[:200],
                                     description="\n".join(parts), district=sheet.district, recorded_by=actor)
    log_action("resource_gap.recorded", actor=actor, obj=gap, request=request, detail={"source": "matching"})
    log_action("participation.gap_recorded", actor=actor, obj=sheet.person, request=request, detail={"gap": gap.pk})
    return gap
