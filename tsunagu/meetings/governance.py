"""Writes for governance: topics of city-wide meetings, the difficult-case list, the staff roster, trainings.

None of these may hold personal data of residents: city-wide meetings are of a type with consent_rule "none"
and the difficult-case list is anonymised — a crude guard rejects phone numbers and dates of birth.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tsunagu.core.errors import DomainError
from tsunagu.directory.names import role_title
from tsunagu.privacy.audit import log_action

from .governance_models import DifficultCase, MeetingTopic, RosterEntry, Training
from .models import Meeting
from .policy import is_organiser


class GovernanceError(DomainError):
    pass


IDENTIFYING = [(re.compile(r"\d{2,4}[-ー－]\d{2,4}[-ー－]\d{3,4}"), "電話番号"),
               (re.compile(r"(昭和|平成|令和|[SHR])\s*\d{1,2}[年.]\s*\d{1,2}[月.]\s*\d{1,2}日?\s*生"), "生年月日"),
               (re.compile(r"\d+番地?\d*号?"), "番地")]


def can_govern(user) -> bool:
    return bool(user.is_authenticated and user.agency_id and user.has_role_kind("coordinator", "manager"))


def _require(actor):
    if not can_govern(actor):
        m = actor.municipality
        raise PermissionDenied(f"この操作は{role_title(m, 'coordinator')}か{role_title(m, 'manager')}だけが行えます")


def _no_personal_data(text: str, field: str):
    for pattern, label in IDENTIFYING:
        if pattern.search(text or ""):
            raise GovernanceError(f"{label}のような個人を特定できる情報は書かないでください（匿名化して記録します）",
                                  field=field)


@transaction.atomic
def add_topic(actor, meeting: Meeting, *, title: str, section: str = "", note: str = "",
              request=None) -> MeetingTopic:
    if not is_organiser(actor, meeting):
        raise PermissionDenied("この操作は会議の招集者だけが行えます")
    if meeting.meeting_type.consent_rule != "none":
        raise GovernanceError("個別の事例を扱う会議の議題は、会議のページから追加してください", field="title")
    if not (title or "").strip():
        raise GovernanceError("議題を入力してください", field="title")
    _no_personal_data(title, "title")
    _no_personal_data(note, "note")
    topic = MeetingTopic.objects.create(municipality_id=meeting.municipality_id, meeting=meeting,
                                        section=(section or "").strip(), title=title.strip(),
                                        note=(note or "").strip(), added_by=actor)
    log_action("governance.topic_added", actor=actor, obj=meeting, request=request, detail={"topic": topic.pk})
    return topic


@transaction.atomic
def record_difficult_case(actor, *, fiscal_year: int, title: str, response: str, issues=(), lessons: str = "",
                          meeting: Meeting | None = None, request=None) -> DifficultCase:
    _require(actor)
    if not (title or "").strip():
        raise GovernanceError("事例の概要を入力してください", field="title")
    if not (response or "").strip():
        raise GovernanceError("対応方法を入力してください", field="response")
    for field, value in (("title", title), ("response", response), ("lessons", lessons)):
        _no_personal_data(value, field)
    if meeting is not None and meeting.municipality_id != actor.municipality_id:
        raise GovernanceError("会議が見つかりません", field="meeting")
    case = DifficultCase.objects.create(
        municipality_id=actor.municipality_id, fiscal_year=fiscal_year, title=title.strip(), issues=list(issues),
        response=response.strip(), lessons=(lessons or "").strip(), meeting=meeting, recorded_by=actor)
    log_action("governance.difficult_case_recorded", actor=actor, object_type="meetings.difficultcase",
               object_id=case.pk, object_repr=case.title, request=request)
    return case


@transaction.atomic
def add_roster_entry(actor, *, fiscal_year: int, agency, duty: str, staff_name: str, phone: str = "",
                     note: str = "", request=None) -> RosterEntry:
    _require(actor)
    if agency is None or agency.municipality_id != actor.municipality_id:
        raise GovernanceError("機関・課を選んでください", field="agency")
    if not (duty or "").strip():
        raise GovernanceError("担当業務を入力してください", field="duty")
    if not (staff_name or "").strip():
        raise GovernanceError("担当者を入力してください", field="staff_name")
    entry = RosterEntry.objects.create(
        municipality_id=actor.municipality_id, fiscal_year=fiscal_year, agency=agency, duty=duty.strip(),
        staff_name=staff_name.strip(), phone=(phone or "").strip(), note=(note or "").strip(), recorded_by=actor)
    log_action("governance.roster_entry_added", actor=actor, object_type="meetings.rosterentry",
               object_id=entry.pk, object_repr=f"{agency.name} {entry.duty}", request=request)
    return entry


@transaction.atomic
def record_training(actor, *, held_on: dt.date, title: str, organiser: str, audience: str = "",
                    participants: int = 0, note: str = "", request=None) -> Training:
    _require(actor)
    if held_on is None:
        raise GovernanceError("実施日を入力してください", field="held_on")
    if not (title or "").strip():
        raise GovernanceError("研修名を入力してください", field="title")
    if not (organiser or "").strip():
        raise GovernanceError("主催を入力してください", field="organiser")
    if participants is None or participants < 0:
        raise GovernanceError("参加者数は0以上で入力してください", field="participants")
    training = Training.objects.create(
        municipality_id=actor.municipality_id, held_on=held_on, title=title.strip(), organiser=organiser.strip(),
        audience=(audience or "").strip(), participants=participants, note=(note or "").strip(), recorded_by=actor)
    log_action("governance.training_recorded", actor=actor, object_type="meetings.training", object_id=training.pk,
               object_repr=training.title, request=request)
    return training
