"""Writes for the prefecture's own work: 支援者支援, 実態調査 and 研修. Atomic and audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.directory.models import PrefectureMember
from tsunagu.meetings.governance_models import Training
from tsunagu.privacy.actions import register
from tsunagu.privacy.audit import log_action

from .models import SupporterConsultation, Survey, SurveyQuestion, SurveyResult

register({"prefecture.supporter_consultation": "支援者支援の記録",
          "prefecture.supporter_consultation_done": "支援者支援の完了", "prefecture.survey": "実態調査の登録",
          "prefecture.survey_result": "実態調査の回答の記録", "prefecture.training": "研修の記録"})


SURVEY_RESULT_FIELDS = ("value", "answer")


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
def complete_supporter_consultation(actor, consultation: SupporterConsultation, *, response: str,
                                    completed_on: dt.date, request=None) -> SupporterConsultation:
    """対応中 → 完了, with the advice given."""
    m = _require(actor)
    if consultation.municipality_id != m.pk:
        raise PrefectureError("支援者支援の記録が見つかりません")
    if consultation.status == SupporterConsultation.DONE:
        raise PrefectureError("この相談はすでに完了しています")
    response = (response or "").strip() or consultation.response
    if not response:
        raise PrefectureError("完了にするには助言・対応を入力してください", field="response")
    consultation.status, consultation.response, consultation.completed_on = (
        SupporterConsultation.DONE, response, completed_on)
    consultation.save(update_fields=["status", "response", "completed_on"])
    log_action("prefecture.supporter_consultation_done", actor=actor, obj=consultation, request=request)
    return consultation


@transaction.atomic
def create_survey(actor, *, title: str, fiscal_year: int, questions: list[str], description: str = "",
                  request=None) -> Survey:
    """A survey with one or more questions (設問), numbered in order."""
    m = _require(actor)
    if not (title or "").strip():
        raise PrefectureError("調査名を入力してください", field="title")
    questions = [q.strip() for q in questions if q and q.strip()]
    if not questions:
        raise PrefectureError("設問を1つ以上入力してください（1行に1問）", field="questions")
    survey = Survey.objects.create(municipality=m, title=title.strip(), fiscal_year=fiscal_year,
                                   question=(description or "").strip())
    SurveyQuestion.objects.bulk_create([SurveyQuestion(municipality=m, survey=survey, number=i, text=q)
                                        for i, q in enumerate(questions, start=1)])
    log_action("prefecture.survey", actor=actor, obj=survey, request=request, detail={"questions": len(questions)})
    return survey


@transaction.atomic
def record_survey_result(actor, question: SurveyQuestion, *, member: PrefectureMember, value: float | None,
                         answer: str, edit_version: str | None = None, request=None) -> SurveyResult:
    """Record one member's answer to a question. A form opened before someone else answered the same question for
    the same member (edit_version NEW, or the fingerprint of the answer it was opened on) gets the conflict page
    instead of overwriting that answer."""
    m = _require(actor)
    if question is None or question.municipality_id != m.pk:
        raise PrefectureError("設問が見つかりません", field="question")
    if value is None and not (answer or "").strip():
        raise PrefectureError("数値か回答のどちらかを入力してください", field="answer")
    member = _member(m, member)
    answer = (answer or "").strip()
    stored = (SurveyResult.objects.select_for_update()
              .filter(survey=question.survey, question=question, member=member).first())
    concurrency.guard(stored, SURVEY_RESULT_FIELDS, edit_version, {"value": value, "answer": answer})
    result, _ = SurveyResult.objects.update_or_create(
        survey=question.survey, question=question, member=member,
        defaults={"municipality": m, "value": value, "answer": answer})
    log_action("prefecture.survey_result", actor=actor, obj=question.survey, request=request,
               detail={"member": member.name, "question": question.number})
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
