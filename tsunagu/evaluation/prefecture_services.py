"""Writes for the prefecture's own work: 支援者支援, 実態調査 and 研修. Atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tsunagu.core.errors import DomainError
from tsunagu.directory.models import PrefectureMember
from tsunagu.meetings.governance_models import Training
from tsunagu.privacy.actions import register
from tsunagu.privacy.audit import log_action

from .models import SupporterConsultation, Survey, SurveyResult

register({"prefecture.supporter_consultation": "支援者支援の記録", "prefecture.survey": "実態調査の登録",
          "prefecture.survey_result": "実態調査の回答の記録", "prefecture.training": "研修の記録"})


class PrefectureError(DomainError):
    pass


def _require(actor):
    m = actor.municipality
    if m is None or m.kind != "prefecture":
        raise PrefectureError("都道府県の担当者だけが記録できます")
    return m


def _member(prefecture, member):
    if member is None or member.municipality_id != prefecture.pk:
        raise PrefectureError("管内の市町村を選んでください", field="member")
    return member


@transaction.atomic
def record_supporter_consultation(actor, *, member: PrefectureMember, received_on: dt.date, consulter_role: str,
                                  topic: str, response: str = "", request=None) -> SupporterConsultation:
    m = _require(actor)
    if not (topic or "").strip():
        raise PrefectureError("相談内容を入力してください", field="topic")
    row = SupporterConsultation.objects.create(
        municipality=m, member=_member(m, member), received_on=received_on, consulter_role=consulter_role.strip(),
        topic=topic.strip(), response=(response or "").strip(), recorded_by=actor)
    log_action("prefecture.supporter_consultation", actor=actor, obj=row, request=request)
    return row


@transaction.atomic
def create_survey(actor, *, title: str, fiscal_year: int, question: str, request=None) -> Survey:
    m = _require(actor)
    if not (title or "").strip():
        raise PrefectureError("調査名を入力してください", field="title")
    survey = Survey.objects.create(municipality=m, title=title.strip(), fiscal_year=fiscal_year,
                                   question=(question or "").strip())
    log_action("prefecture.survey", actor=actor, obj=survey, request=request)
    return survey


@transaction.atomic
def record_survey_result(actor, survey: Survey, *, member: PrefectureMember, value: float | None, answer: str,
                         request=None) -> SurveyResult:
    m = _require(actor)
    if survey.municipality_id != m.pk:
        raise PrefectureError("調査が見つかりません")
    if value is None and not (answer or "").strip():
        raise PrefectureError("数値か回答のどちらかを入力してください", field="answer")
    result, _ = SurveyResult.objects.update_or_create(
        survey=survey, member=_member(m, member),
        defaults={"municipality": m, "value": value, "answer": (answer or "").strip()})
    log_action("prefecture.survey_result", actor=actor, obj=survey, request=request, detail={"member": member.name})
    return result


@transaction.atomic
def record_training(actor, *, title: str, held_on: dt.date, place: str = "", audience: str = "",
                    participants: int = 0, members=(), request=None) -> Training:
    m = _require(actor)
    if not (title or "").strip():
        raise PrefectureError("研修名を入力してください", field="title")
    training = Training.objects.create(municipality=m, title=title.strip(), held_on=held_on, organiser=m.name,
                                       audience=audience, participants=participants or 0,
                                       note=f"場所: {place}" if place else "", recorded_by=actor)
    training.members.set([_member(m, x) for x in members])
    log_action("prefecture.training", actor=actor, obj=training, request=request)
    return training
