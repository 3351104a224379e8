"""Writes for 多機関協働: opening a case, the team, assessment, plans, notes, evaluation, follow-up.

Plan approval and closure are not here: they happen only through decisions of a 重層的支援会議 (meetings.services),
which is how R3 and R4 are enforced.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.directory.models import Agency
from tsunagu.intake.models import Consultation, Referral
from tsunagu.privacy import access, corrections
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.services import active_consent_for, record_disclosure

from .models import (
    ASSESSMENT_DOMAINS,
    CONNECTION_KINDS,
    CONNECTION_STRENGTHS,
    RISK_KINDS,
    SEVERITY_CHOICES,
    Assessment,
    Case,
    Evaluation,
    FollowUp,
    PlanAction,
    ProgressNote,
    SupportPlan,
    TeamMember,
)
from .policy import is_coordinator_of, is_team_member


class CaseError(DomainError):
    pass


def _require_coordinating_agency(actor):
    if not actor.agency_id or "多機関協働" not in (actor.agency.kinds or []) or actor.role_kind != "coordinator":
        raise PermissionDenied("多機関協働の機関のコーディネーターだけが行えます")


def _require_coordinator(actor, case: Case):
    if not is_coordinator_of(actor, case):
        raise PermissionDenied("この操作は多機関協働の担当コーディネーターだけが行えます")
    if not case.is_open:
        raise CaseError("終結した事例は変更できません")


def _set_status(actor, case: Case, status: str, *, request=None, reason: str = "") -> None:
    if case.status == status:
        return
    previous = case.status
    case.status = status
    case.save(update_fields=["status"])
    log_action("case.status_changed", actor=actor, obj=case, request=request, reason=reason,
               detail={"from": previous, "to": status})


@transaction.atomic
def open_case(actor, *, referral: Referral | None = None, consultation: Consultation | None = None,
              title: str = "", request=None, at: dt.datetime | None = None) -> Case:
    """A consultation handed to 多機関協働 becomes a case (from an escalation referral, or the agency's own)."""
    _require_coordinating_agency(actor)
    if referral is not None:
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.to_agency_id != actor.agency_id or referral.purpose != "multiagency":
            raise PermissionDenied("多機関協働への引継ぎを受けた機関だけが事例にできます")
        if referral.status == Referral.RETURNED:
            raise CaseError("差し戻したつなぎは事例にできません")
        if referral.cases.exists():
            raise CaseError("この引継ぎはすでに事例になっています")
        if referral.status == Referral.SENT:
            from tsunagu.intake.services import accept_referral

            accept_referral(actor, referral, note="多機関協働の事例として受け付けました", request=request, at=at)
            referral.refresh_from_db()
        consultation = referral.consultation
    elif consultation is None or consultation.agency_id != actor.agency_id:
        raise CaseError("事例にする相談を選んでください")
    elif consultation.cases.exists():
        raise CaseError("この相談はすでに事例になっています")
    person = consultation.person
    case = Case.objects.create(
        municipality_id=actor.municipality_id, person=person, household=consultation.household,
        consultation=consultation, referral=referral, coordinator=actor, coordinating_agency_id=actor.agency_id,
        title=(title or f"{person.name}さんの事例").strip()[:200], opened_at=at or timezone.now(),
    )
    log_action("case.opened", actor=actor, obj=case, request=request, subject_person_id=person.pk,
               detail={"consultation": consultation.pk, "referral": referral.pk if referral else None})
    access.sync_person(person)
    return case


@transaction.atomic
def add_team_member(actor, case: Case, *, agency: Agency, role: str, request=None) -> TeamMember:
    """Only a consented team: the person's active consent must cover the agency (R1)."""
    _require_coordinator(actor, case)
    if agency is None or agency.municipality_id != case.municipality_id or not agency.active:
        raise CaseError("機関を選んでください", field="agency")
    if not (role or "").strip():
        raise CaseError("この機関の役割を入力してください（プランには全参加機関の役割が必要です）", field="role")
    consent = active_consent_for(case.person, agency, "多機関協働")
    if consent is None:
        from tsunagu.directory.names import no_consent_meetings

        others = no_consent_meetings(case.municipality)
        raise CaseError(f"本人同意が {agency.name} への共有を含まないため、チームに加えられません。"
                        + (f"同意を得るまでは{others}で検討してください" if others else "先に本人同意を得てください"),
                        field="agency")
    member = TeamMember.objects.filter(case=case, agency=agency).first()
    if member and member.active:
        raise CaseError(f"{agency.name} はすでにチームにいます", field="agency")
    if member:
        member.active, member.role, member.consent = True, role.strip(), consent
        member.save(update_fields=["active", "role", "consent"])
    else:
        member = TeamMember.objects.create(municipality_id=case.municipality_id, case=case, agency=agency,
                                           role=role.strip(), consent=consent)
    record_disclosure(actor, person=case.person, from_agency=case.coordinating_agency, to_agency=agency,
                      basis="consent", consent=consent, items=["事例の記録（アセスメント・プラン・経過）"],
                      consultation=case.consultation, request=request)
    log_action("case.team_added", actor=actor, obj=case, request=request, detail={"agency": agency.pk, "role": role})
    access.sync_person(case.person)
    if case.status == Case.INTAKE:
        _set_status(actor, case, Case.GATHERING, request=request)
    return member


@transaction.atomic
def remove_team_member(actor, member: TeamMember, *, request=None) -> None:
    _require_coordinator(actor, member.case)
    member.active = False
    member.save(update_fields=["active"])
    log_action("case.team_removed", actor=actor, obj=member.case, request=request, detail={"agency": member.agency_id})
    access.sync_persons(member.municipality_id, [member.case.person_id], reason="支援チームから外れた")


def _clean_assessment(data: dict) -> dict:
    severities = dict(SEVERITY_CHOICES)
    issues = []
    for i, issue in enumerate(data.get("issues") or []):
        if issue.get("domain") not in ASSESSMENT_DOMAINS:
            raise CaseError(f"課題{i + 1}の領域を選んでください", field="issues")
        if str(issue.get("severity")) not in severities:
            raise CaseError(f"課題{i + 1}の重さを選んでください", field="issues")
        issues.append({"domain": issue["domain"], "severity": str(issue["severity"]),
                       "note": (issue.get("note") or "").strip()})
    risks = {}
    for kind, risk in (data.get("risks") or {}).items():
        if kind not in RISK_KINDS:
            raise CaseError(f"リスクの種類「{kind}」は選べません", field="risks")
        if risk.get("level") not in ("", "なし", "低", "中", "高"):
            raise CaseError(f"{kind}のリスクの程度を選んでください", field="risks")
        risks[kind] = {"level": risk.get("level") or "なし", "note": (risk.get("note") or "").strip()}
    connections = []
    kinds, strengths = dict(CONNECTION_KINDS), dict(CONNECTION_STRENGTHS)
    for i, c in enumerate(data.get("connections") or []):
        name = (c.get("name") or "").strip()
        if not name:
            continue
        if c.get("kind") not in kinds or c.get("strength") not in strengths:
            raise CaseError(f"つながり{i + 1}の種類と関係の強さを選んでください", field="connections")
        connections.append({"name": name[:60], "kind": c["kind"], "strength": c["strength"]})
    return {"household_notes": (data.get("household_notes") or "").strip(),
            "life_history": (data.get("life_history") or "").strip(), "issues": issues,
            "strengths": (data.get("strengths") or "").strip(), "wishes": (data.get("wishes") or "").strip(),
            "risks": risks, "connections": connections}


ASSESSMENT_FIELDS = ("household_notes", "life_history", "issues", "strengths", "wishes", "risks", "connections")
ASSESSMENT_CORRECTION = [
    corrections.FieldSpec("household_notes", "世帯の状況・家族関係", access.CONTENT),
    corrections.FieldSpec("life_history", "生活歴", access.CONTENT),
    corrections.FieldSpec("issues", "領域ごとの課題", access.CONTENT, text=lambda v: "\n".join(
        f"{i['domain']}（{dict(SEVERITY_CHOICES).get(i['severity'], i['severity'])}）{i['note']}" for i in v or [])
        or "（なし）"),
    corrections.FieldSpec("strengths", "強み・できていること", access.CONTENT),
    corrections.FieldSpec("wishes", "本人の意向", access.CONTENT),
    corrections.FieldSpec("risks", "リスク", access.CONTENT, text=lambda v: "\n".join(
        f"{k}: {r['level']}" + (f"（{r['note']}）" if r.get("note") else "") for k, r in (v or {}).items())
        or "（なし）"),
    corrections.FieldSpec("connections", "つながり（エコマップ）", access.CONTENT, text=lambda v: "\n".join(
        f"{c['name']}（{dict(CONNECTION_KINDS).get(c['kind'], c['kind'])}・"
        f"{dict(CONNECTION_STRENGTHS).get(c['strength'], c['strength'])}）" for c in v or []) or "（なし）"),
]


@transaction.atomic
def save_assessment(actor, case: Case, data: dict, *, reason: str = "", request=None,
                    edit_version: str | None = None) -> Assessment:
    """Versioned like the plans: the first save is 第1版; every change of a saved assessment is a new version
    with a reason (訂正の理由), its earlier values kept in the history. `edit_version`: the version the form was
    opened on; another save since then raises EditConflict."""
    _require_coordinator(actor, case)
    values = _clean_assessment(data)
    if not values["wishes"]:
        raise CaseError("本人の意向を入力してください（聞き取れない場合はその旨を）", field="wishes")
    Case.objects.select_for_update().filter(pk=case.pk).first()  # serialises saves, even of a first version
    existing = Assessment.objects.filter(case=case).first()
    concurrency.guard(existing, ASSESSMENT_FIELDS, edit_version, values)
    now = timezone.now()
    if existing is None:
        assessment = Assessment.objects.create(case=case, municipality_id=case.municipality_id, updated_by=actor,
                                               updated_at=now, version=1, **values)
        version = 1
    else:
        diff = corrections.changes(existing, ASSESSMENT_CORRECTION, values)
        if not diff:
            return existing
        reason = corrections.require_reason(reason)
        revision = corrections.record(actor, record_type="assessment", record_id=case.pk, person_id=case.person_id,
                                      municipality_id=case.municipality_id, diff=diff, reason=reason)
        for key, value in values.items():
            setattr(existing, key, value)
        existing.updated_by, existing.updated_at, existing.version = actor, now, revision.version
        existing.save()
        assessment, version = existing, revision.version
    log_action("assessment.saved", actor=actor, obj=case, request=request,
               detail={"issues": len(values["issues"]), "connections": len(values["connections"]),
                       "version": version})
    if case.status in (Case.INTAKE, Case.GATHERING):
        _set_status(actor, case, Case.ASSESSMENT, request=request)
    return assessment


@transaction.atomic
def draft_plan(actor, case: Case, *, long_term_goal: str, short_term_goals: str, lead_agency: Agency,
               review_date: dt.date, actions: list[dict], refer_outreach: bool = False,
               refer_participation: bool = False, request=None, at: dt.datetime | None = None) -> SupportPlan:
    """A new version of the plan (プランシート); it stays a draft until a 重層的支援会議 approves it (R3)."""
    _require_coordinator(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not (long_term_goal or "").strip():
        raise CaseError("長期目標を入力してください", field="long_term_goal")
    if not (short_term_goals or "").strip():
        raise CaseError("短期目標を入力してください", field="short_term_goals")
    if review_date is None or review_date <= timezone.localdate(at or timezone.now()):
        raise CaseError("見直し日には今日より後の日付を入力してください", field="review_date")
    team = {m.agency_id for m in case.team.filter(active=True)} | {case.coordinating_agency_id}
    if lead_agency is None or lead_agency.pk not in team:
        raise CaseError("主担当機関は支援チームの機関から選んでください", field="lead_agency")
    if not actions:
        raise CaseError("取組を1つ以上入力してください", field="actions")
    for i, a in enumerate(actions):
        if not (a.get("description") or "").strip():
            raise CaseError(f"取組{i + 1}の内容を入力してください", field="actions")
        if a.get("agency") is None or a["agency"].pk not in team:
            raise CaseError(f"取組{i + 1}の担当機関は支援チームの機関から選んでください", field="actions")
        if a.get("due_date") is None:
            raise CaseError(f"取組{i + 1}の期限を入力してください", field="actions")
    if case.plans.filter(status__in=[SupportPlan.DRAFT, SupportPlan.ON_AGENDA, SupportPlan.SENT_BACK]).exists():
        raise CaseError("承認されていない案がすでにあります。その案を会議に出すか、差し戻し後に作り直してください")
    version = (case.plans.aggregate(v=Max("version"))["v"] or 0) + 1
    plan = SupportPlan.objects.create(
        municipality_id=case.municipality_id, case=case, version=version, long_term_goal=long_term_goal.strip(),
        short_term_goals=short_term_goals.strip(), lead_agency=lead_agency, review_date=review_date,
        refer_outreach=refer_outreach, refer_participation=refer_participation, created_by=actor,
        created_at=at or timezone.now(),
    )
    for a in actions:
        PlanAction.objects.create(municipality_id=case.municipality_id, plan=plan,
                                  description=a["description"].strip(), agency=a["agency"],
                                  person_in_charge=(a.get("person_in_charge") or "").strip(), due_date=a["due_date"])
    log_action("plan.drafted", actor=actor, obj=plan, request=request, detail={"case": case.pk, "version": version})
    access.sync_persons(case.municipality_id, [case.person_id])  # 参加支援へつなぐ (G9)
    if case.status in (Case.INTAKE, Case.GATHERING, Case.ASSESSMENT):
        _set_status(actor, case, Case.PLAN_DRAFT, request=request)
    return plan


@transaction.atomic
def redraft_sent_back_plan(actor, plan: SupportPlan, *, request=None) -> None:
    """A plan sent back by the meeting is set aside so that a corrected version can be drafted."""
    _require_coordinator(actor, plan.case)
    if plan.status != SupportPlan.SENT_BACK:
        raise CaseError("差し戻されたプランだけが作り直しの対象です")
    plan.status = SupportPlan.SUPERSEDED
    plan.save(update_fields=["status"])
    access.sync_persons(plan.municipality_id, [plan.case.person_id])


@transaction.atomic
def add_progress_note(actor, case: Case, *, kind: str, occurred_at: dt.datetime, text: str, request=None
                      ) -> ProgressNote:
    """支援経過記録: by any agency on the team."""
    if not actor.agency_id or not is_team_member(actor, case):
        raise PermissionDenied("支援チームの機関だけが経過を記録できます")
    if kind not in dict(ProgressNote.KIND_CHOICES):
        raise CaseError("種類を選んでください", field="kind")
    if not (text or "").strip():
        raise CaseError("内容を入力してください", field="text")
    if occurred_at is None:
        raise CaseError("日時を入力してください", field="occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise CaseError("未来の日時の経過は記録できません", field="occurred_at")
    note = ProgressNote.objects.create(municipality_id=case.municipality_id, case=case, agency_id=actor.agency_id,
                                       author=actor, occurred_at=occurred_at, kind=kind, text=text.strip())
    log_action("note.added", actor=actor, obj=note, request=request, detail={"case": case.pk})
    return note


@transaction.atomic
def complete_action(actor, action: PlanAction, *, request=None) -> PlanAction:
    if not (actor.is_casework and action.agency_id == actor.agency_id) and not is_coordinator_of(
            actor, action.plan.case):
        raise PermissionDenied("担当機関か多機関協働の担当だけが完了にできます")
    if action.done_at:
        raise CaseError("この取組はすでに完了しています")
    action.done_at = timezone.now()
    action.save(update_fields=["done_at"])
    log_action("plan.action_done", actor=actor, obj=action.plan, request=request, detail={"action": action.pk})
    return action


@transaction.atomic
def start_monitoring(actor, case: Case, *, request=None) -> Case:
    _require_coordinator(actor, case)
    if case.status != Case.SUPPORTING:
        raise CaseError("モニタリングに移れるのは支援中の事例だけです")
    _set_status(actor, case, Case.MONITORING, request=request)
    return case


@transaction.atomic
def draft_evaluation(actor, case: Case, *, goal_review: str, changes: str, remaining_issues: str,
                     recommendation: str, follow_up: bool, request=None,
                     at: dt.datetime | None = None) -> Evaluation:
    """評価シート; the case closes only when a 重層的支援会議 approves it (R4)."""
    _require_coordinator(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)  # two drafts at once: the second sees the first
    plan = case.active_plan()
    if plan is None:
        raise CaseError("承認された支援プランがないため評価できません")
    if not (goal_review or "").strip():
        raise CaseError("目標の達成状況を入力してください", field="goal_review")
    if not (changes or "").strip():
        raise CaseError("本人・世帯の変化を入力してください", field="changes")
    if recommendation not in dict(Evaluation.RECOMMEND_CHOICES):
        raise CaseError("評価の結論を選んでください", field="recommendation")
    if case.evaluations.filter(status__in=[Evaluation.DRAFT, Evaluation.ON_AGENDA]).exists():
        raise CaseError("会議に出していない評価がすでにあります")
    evaluation = Evaluation.objects.create(
        municipality_id=case.municipality_id, case=case, plan=plan, goal_review=goal_review.strip(),
        changes=changes.strip(), remaining_issues=(remaining_issues or "").strip(), recommendation=recommendation,
        follow_up=follow_up, created_by=actor, created_at=at or timezone.now())
    log_action("evaluation.drafted", actor=actor, obj=evaluation, request=request, detail={"case": case.pk})
    return evaluation


@transaction.atomic
def record_follow_up(actor, follow_up: FollowUp, *, note: str, request=None) -> FollowUp:
    if not (actor.is_casework and follow_up.agency_id == actor.agency_id):
        raise PermissionDenied("担当機関だけが見守りを記録できます")
    if not (note or "").strip():
        raise CaseError("見守りの内容を入力してください", field="note")
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at:  # a second record (another person, a double submit) must not overwrite the first
        raise CaseError("この見守りはすでに記録されています")
    follow_up.done_at = timezone.now()
    follow_up.note = note.strip()
    follow_up.save(update_fields=["done_at", "note"])
    log_action("followup.done", actor=actor, obj=follow_up.case, request=request, detail={"follow_up": follow_up.pk})
    return follow_up


def close_case(actor, case: Case, evaluation: Evaluation, *, request=None, at=None) -> Case:
    """Called only by meetings.services when a 重層的支援会議 approves the evaluation (R4)."""
    now = at or timezone.now()
    if evaluation.recommendation == "return":
        origin = case.consultation.agency if case.consultation else None
        case.lead_agency = origin
        case.status = Case.RETURNED
        case.closure_reason = "包括的相談支援へ戻す（主担当を窓口へ）"
        action = "case.returned"
    else:
        case.status = Case.CLOSED
        case.closure_reason = "評価の承認による終結"
        action = "case.closed"
    case.closed_at = now
    case.follow_up = evaluation.follow_up
    case.save(update_fields=["status", "closure_reason", "closed_at", "follow_up", "lead_agency"])
    if evaluation.follow_up:
        agency = case.lead_agency or case.coordinating_agency
        for months in (3, 6):
            FollowUp.objects.create(municipality_id=case.municipality_id, case=case, agency=agency,
                                    due_date=timezone.localdate(now + dt.timedelta(days=30 * months)))
    log_action(action, actor=actor, obj=case, request=request, detail={"evaluation": evaluation.pk})
    access.sync_persons(case.municipality_id, [case.person_id], reason="事例の終結")
    return case


# ------------------------------------------------------------------------------------------------ 訂正

PLAN_CORRECTION = [corrections.FieldSpec("long_term_goal", "長期目標", access.CONTENT),
                   corrections.FieldSpec("short_term_goals", "短期目標", access.CONTENT),
                   corrections.FieldSpec("review_date", "見直し日", access.CONTENT)]
PLAN_CORRECTION_FIELDS = [s.name for s in PLAN_CORRECTION]
NOTE_CORRECTION = [corrections.FieldSpec("occurred_at", "日時", access.CONTENT, text=corrections.datetime_text),
                   corrections.FieldSpec("kind", "種類", access.CONTENT,
                                         text=lambda v: dict(ProgressNote.KIND_CHOICES).get(v, v)),
                   corrections.FieldSpec("text", "内容", access.CONTENT)]
NOTE_CORRECTION_FIELDS = [s.name for s in NOTE_CORRECTION]


@transaction.atomic
def correct_plan_draft(actor, plan: SupportPlan, data: dict, *, reason: str, edit_version: str | None = None,
                       request=None) -> SupportPlan:
    """訂正 of a plan that is still a draft (案): the coordinator; an approved or submitted plan is changed only
    by a new version (draft_plan), never in place."""
    _require_coordinator(actor, plan.case)
    reason = corrections.require_reason(reason)
    plan = SupportPlan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if plan.status != SupportPlan.DRAFT:
        raise CaseError("訂正できるのは案の段階のプランだけです（会議に提出済み・承認済みのプランは新しい版を作ってください）")
    values = {"long_term_goal": (data.get("long_term_goal") or "").strip(),
              "short_term_goals": (data.get("short_term_goals") or "").strip(), "review_date": data.get("review_date")}
    if not values["long_term_goal"]:
        raise CaseError("長期目標を入力してください", field="long_term_goal")
    if not values["short_term_goals"]:
        raise CaseError("短期目標を入力してください", field="short_term_goals")
    if values["review_date"] is None or values["review_date"] <= timezone.localdate():
        raise CaseError("見直し日には今日より後の日付を入力してください", field="review_date")
    concurrency.guard(plan, PLAN_CORRECTION_FIELDS, edit_version, values)
    corrections.apply(actor, plan, PLAN_CORRECTION, values, record_type="plan", person_id=plan.case.person_id,
                      reason=reason, error=CaseError, grant_record_id=plan.case_id, request=request,
                      detail={"case": plan.case_id})
    return plan


@transaction.atomic
def correct_progress_note(actor, note: ProgressNote, data: dict, *, reason: str, edit_version: str | None = None,
                          request=None) -> ProgressNote:
    """訂正 of a 支援経過記録 by the agency that wrote it (G1)."""
    if not access.owns(actor, note.agency_id):
        raise PermissionDenied("支援経過記録を訂正できるのは、記録した機関の相談支援の職員だけです")
    reason = corrections.require_reason(reason)
    note = ProgressNote.objects.select_for_update().select_related("case").get(pk=note.pk)
    values = {"occurred_at": data.get("occurred_at"), "kind": data.get("kind") or "",
              "text": (data.get("text") or "").strip()}
    if values["kind"] not in dict(ProgressNote.KIND_CHOICES):
        raise CaseError("種類を選んでください", field="kind")
    if not values["text"]:
        raise CaseError("内容を入力してください", field="text")
    if values["occurred_at"] is None:
        raise CaseError("日時を入力してください", field="occurred_at")
    if values["occurred_at"] > timezone.now() + dt.timedelta(minutes=5):
        raise CaseError("未来の日時の経過は記録できません", field="occurred_at")
    if values["occurred_at"] == note.occurred_at.replace(second=0, microsecond=0):
        values["occurred_at"] = note.occurred_at  # the form shows minutes: the same minute is no change
    concurrency.guard(note, NOTE_CORRECTION_FIELDS, edit_version, values)
    corrections.apply(actor, note, NOTE_CORRECTION, values, record_type="note", person_id=note.case.person_id,
                      reason=reason, error=CaseError, grant_record_id=note.case_id, request=request,
                      detail={"case": note.case_id})
    return note
