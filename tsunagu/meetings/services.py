"""Writes for meetings. Decisions of a 重層的支援会議 drive the case: approving a plan activates it (R3),
approving an evaluation closes the case (R4); a 社会資源 gap becomes a 地域課題. Consent rules: R2, R8."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.casework.models import Case, Evaluation, SupportPlan
from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.directory.models import MeetingType
from tsunagu.privacy.audit import log_action

from .models import AgendaItem, Meeting, MeetingMember, ResourceGap
from .policy import is_organiser


class MeetingError(DomainError):
    pass


CASE_MEETING_KINDS = ("重層的支援会議", "支援会議", "統合会議")


def consent_on_file(person):
    """The consent that lets this person be discussed at a 重層的支援会議 (R2), or None."""
    for consent in person.consents.filter(withdrawn_at__isnull=True).order_by("-obtained_on", "-id"):
        if not consent.purposes or {"重層的支援会議", "多機関協働"} & set(consent.purposes):
            return consent
    return None


def _require_organiser(actor, meeting: Meeting):
    if not is_organiser(actor, meeting):
        raise PermissionDenied("この操作は会議の招集者（多機関協働の担当）だけが行えます")


@transaction.atomic
def schedule_meeting(actor, *, meeting_type: MeetingType, title: str, scheduled_at: dt.datetime, place: str = "",
                     request=None) -> Meeting:
    if not actor.agency_id or not actor.has_role_kind("coordinator", "manager"):
        raise PermissionDenied("会議を登録できるのは多機関協働の担当か管理者です")
    if meeting_type is None or meeting_type.municipality_id != actor.municipality_id or not meeting_type.active:
        raise MeetingError("会議の種類を選んでください", field="meeting_type")
    if not (title or "").strip():
        raise MeetingError("会議名を入力してください", field="title")
    if scheduled_at is None:
        raise MeetingError("開催日時を入力してください", field="scheduled_at")
    meeting = Meeting.objects.create(municipality_id=actor.municipality_id, meeting_type=meeting_type,
                                     title=title.strip(), scheduled_at=scheduled_at, place=(place or "").strip(),
                                     convened_by=actor)
    log_action("meeting.scheduled", actor=actor, obj=meeting, request=request, detail={"type": meeting_type.code})
    return meeting


@transaction.atomic
def add_member(actor, meeting: Meeting, *, staff=None, agency=None, label: str = "", request=None) -> MeetingMember:
    _require_organiser(actor, meeting)
    if staff is not None and staff.municipality_id != meeting.municipality_id:
        raise MeetingError("別の自治体の職員は構成員にできません", field="staff")
    if staff is None and not (label or "").strip():
        raise MeetingError("職員を選ぶか、構成員の名前（例: 民生委員）を入力してください", field="label")
    if staff is not None and meeting.members.filter(staff=staff).exists():
        raise MeetingError(f"{staff} はすでに構成員です", field="staff")
    member = MeetingMember.objects.create(
        municipality_id=meeting.municipality_id, meeting=meeting, staff=staff,
        agency=agency or (staff.agency if staff else None),
        label=(label or "").strip() or (f"{staff}（{staff.agency.name}）" if staff and staff.agency else str(staff)))
    log_action("meeting.member_added", actor=actor, obj=meeting, request=request,
               detail={"member": member.pk, "staff": staff.pk if staff else None})
    return member


@transaction.atomic
def acknowledge_confidentiality(actor, member: MeetingMember, *, request=None) -> MeetingMember:
    """法106条の6第5項の守秘義務の確認: by the member themself or recorded by the organiser (signed pledge)."""
    if actor.pk != member.staff_id and not is_organiser(actor, member.meeting):
        raise PermissionDenied("本人か会議の招集者だけが記録できます")
    if member.confidentiality_acknowledged_at:
        raise MeetingError("守秘義務の確認はすでに記録されています")
    member.confidentiality_acknowledged_at = timezone.now()
    member.acknowledged_recorded_by = actor
    member.save(update_fields=["confidentiality_acknowledged_at", "acknowledged_recorded_by"])
    log_action("meeting.confidentiality_acknowledged", actor=actor, obj=member.meeting, request=request,
               detail={"member": member.pk})
    return member


def _basis_for(meeting: Meeting, requested: str) -> str:
    rule = meeting.meeting_type.consent_rule
    if rule == "required":
        return AgendaItem.BASIS_CONSENT
    if rule == "not_required":
        return AgendaItem.BASIS_SUPPORT_MEETING
    if rule == "per_item":
        if requested not in dict(AgendaItem.BASIS_CHOICES):
            raise MeetingError("この会議は重層的支援会議と支援会議を兼ねています。議題ごとの法的根拠を選んでください",
                               field="legal_basis")
        return requested
    raise MeetingError("この種類の会議では個別の事例を扱えません", field="case")


@transaction.atomic
def add_agenda_item(actor, meeting: Meeting, *, purpose: str, case: Case | None = None, person=None,
                    legal_basis: str = "", summary: str = "", request=None) -> AgendaItem:
    _require_organiser(actor, meeting)
    if meeting.status == Meeting.HELD:
        raise MeetingError("開催済みの会議には議題を追加できません")
    if purpose not in dict(AgendaItem.PURPOSE_CHOICES):
        raise MeetingError("議題の目的を選んでください", field="purpose")
    plan = evaluation = consent = None
    if purpose == AgendaItem.RESOURCES and case is None and person is None:
        basis = ""
    else:
        if case is None and person is None:
            raise MeetingError("議題の事例を選んでください", field="case")
        if meeting.meeting_type.kind not in CASE_MEETING_KINDS:
            raise MeetingError("この種類の会議では個別の事例を扱えません", field="case")
        if case is not None:
            if case.municipality_id != meeting.municipality_id or case.coordinating_agency_id != actor.agency_id:
                raise MeetingError("事例が見つかりません", field="case")
            person = case.person
        basis = _basis_for(meeting, legal_basis)
        if basis == AgendaItem.BASIS_CONSENT:
            consent = consent_on_file(person)
            if consent is None:
                raise MeetingError("本人同意が記録されていないため、重層的支援会議の議題にできません。"
                                   "同意を得るまでは支援会議で検討してください（法106条の6）", field="case")
        if purpose in (AgendaItem.PLAN_REVIEW, AgendaItem.CLOSURE_EVALUATION):
            if basis != AgendaItem.BASIS_CONSENT:
                raise MeetingError("プランの承認と終結の評価は、本人同意のある重層的支援会議でだけ行えます",
                                   field="purpose")
            if case is None:
                raise MeetingError("プランの協議・評価には事例が必要です", field="case")
        if purpose == AgendaItem.PLAN_REVIEW:
            plan = case.plans.filter(status=SupportPlan.DRAFT).order_by("-version").first()
            if plan is None:
                raise MeetingError("会議に出せるプラン案がありません", field="purpose")
            missing = [m.agency.name for m in case.team.filter(active=True) if not m.role.strip()]
            if missing:
                raise MeetingError(f"役割が決まっていない機関があります: {'、'.join(missing)}", field="purpose")
            plan.status = SupportPlan.ON_AGENDA
            plan.save(update_fields=["status"])
            casework._set_status(actor, case, Case.AWAITING_APPROVAL, request=request)
        if purpose == AgendaItem.CLOSURE_EVALUATION:
            evaluation = case.evaluations.filter(status=Evaluation.DRAFT).first()
            if evaluation is None:
                raise MeetingError("会議に出せる評価シートがありません", field="purpose")
            evaluation.status = Evaluation.ON_AGENDA
            evaluation.save(update_fields=["status"])
            casework._set_status(actor, case, Case.AWAITING_CLOSURE, request=request)
    item = AgendaItem.objects.create(
        municipality_id=meeting.municipality_id, meeting=meeting, purpose=purpose, legal_basis=basis, case=case,
        person=person, plan=plan, evaluation=evaluation, consent=consent, summary=(summary or "").strip(),
        added_by=actor)
    log_action("meeting.item_added", actor=actor, obj=meeting, request=request,
               detail={"item": item.pk, "purpose": purpose, "basis": basis, "case": case.pk if case else None})
    return item


@transaction.atomic
def decide_item(actor, item: AgendaItem, *, decision: str, note: str = "", gap_title: str = "", request=None,
                at: dt.datetime | None = None) -> AgendaItem:
    meeting = item.meeting
    _require_organiser(actor, meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if item.decision:
        raise MeetingError("この議題はすでに決定済みです")
    if decision not in dict(AgendaItem.DECISION_CHOICES):
        raise MeetingError("決定を選んでください", field="decision")
    if item.legal_basis == AgendaItem.BASIS_CONSENT and item.consent and item.consent.withdrawn_at:
        raise MeetingError("本人同意が撤回されたため、この議題は協議できません（R8）")
    now = at or timezone.now()
    if item.purpose == AgendaItem.PLAN_REVIEW:
        if decision == AgendaItem.NOTED:
            raise MeetingError("プランの協議は「承認」か「差し戻し」で決定してください", field="decision")
        _decide_plan(actor, item, decision, note, now, request)
    elif item.purpose == AgendaItem.CLOSURE_EVALUATION:
        if decision == AgendaItem.NOTED:
            raise MeetingError("評価は「承認」か「差し戻し」で決定してください", field="decision")
        _decide_evaluation(actor, item, decision, note, now, request)
    elif decision != AgendaItem.NOTED:
        raise MeetingError("この議題は「協議・共有済み」で記録してください", field="decision")
    if (gap_title or "").strip():
        gap = ResourceGap.objects.create(municipality_id=item.municipality_id, title=gap_title.strip()[:200],
                                         description=(note or "").strip(), source_item=item, recorded_by=actor)
        log_action("resource_gap.recorded", actor=actor, obj=gap, request=request, detail={"item": item.pk})
    elif item.purpose == AgendaItem.RESOURCES:
        raise MeetingError("社会資源の検討では、不足している資源（地域課題）を入力してください", field="gap_title")
    item.decision, item.decision_note, item.decided_at = decision, (note or "").strip(), now
    item.save(update_fields=["decision", "decision_note", "decided_at"])
    log_action("meeting.item_decided", actor=actor, obj=meeting, request=request,
               detail={"item": item.pk, "decision": decision})
    return item


def _decide_plan(actor, item, decision, note, now, request):
    plan, case = item.plan, item.case
    if decision == AgendaItem.APPROVED:
        case.plans.filter(status=SupportPlan.APPROVED).update(status=SupportPlan.SUPERSEDED)
        plan.status, plan.approved_at, plan.decision_note = SupportPlan.APPROVED, now, note
        plan.save(update_fields=["status", "approved_at", "decision_note"])
        case.lead_agency = plan.lead_agency
        case.save(update_fields=["lead_agency"])
        casework._set_status(actor, case, Case.SUPPORTING, request=request)
        log_action("plan.approved", actor=actor, obj=plan, request=request, detail={"item": item.pk})
    else:
        plan.status, plan.decision_note = SupportPlan.SENT_BACK, note
        plan.save(update_fields=["status", "decision_note"])
        back = Case.MONITORING if case.active_plan() else Case.PLAN_DRAFT
        casework._set_status(actor, case, back, request=request)
        log_action("plan.sent_back", actor=actor, obj=plan, request=request, detail={"item": item.pk})


def _decide_evaluation(actor, item, decision, note, now, request):
    evaluation, case = item.evaluation, item.case
    if decision == AgendaItem.APPROVED:
        evaluation.status, evaluation.approved_at = Evaluation.APPROVED, now
        evaluation.save(update_fields=["status", "approved_at"])
        log_action("evaluation.approved", actor=actor, obj=evaluation, request=request, detail={"item": item.pk})
        if evaluation.recommendation == "continue":
            casework._set_status(actor, case, Case.MONITORING, request=request)
        else:
            casework.close_case(actor, case, evaluation, request=request, at=now)
    else:
        evaluation.status = Evaluation.SENT_BACK
        evaluation.save(update_fields=["status"])
        casework._set_status(actor, case, Case.MONITORING, request=request)
        log_action("evaluation.sent_back", actor=actor, obj=evaluation, request=request, detail={"item": item.pk})


@transaction.atomic
def close_item_sharing(actor, item: AgendaItem, *, request=None) -> AgendaItem:
    """End sharing under 法106条の6 for this item (e.g. consent obtained → moved to 重層的支援会議)."""
    _require_organiser(actor, item.meeting)
    if item.closed_at:
        raise MeetingError("この議題の共有はすでに終了しています")
    item.closed_at = timezone.now()
    item.save(update_fields=["closed_at"])
    log_action("meeting.item_closed", actor=actor, obj=item.meeting, request=request, detail={"item": item.pk})
    return item


MINUTES_FIELDS = ("minutes",)


@transaction.atomic
def save_minutes(actor, meeting: Meeting, *, minutes: str, held: bool, request=None,
                 edit_version: str | None = None) -> Meeting:
    """`edit_version`: the version the form was opened on; another save since then raises EditConflict."""
    _require_organiser(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    concurrency.guard(meeting, MINUTES_FIELDS, edit_version, {"minutes": (minutes or "").strip()})
    meeting.minutes = (minutes or "").strip()
    if held:
        meeting.status = Meeting.HELD
    meeting.save(update_fields=["minutes", "status"])
    log_action("meeting.minutes_saved", actor=actor, obj=meeting, request=request, detail={"held": held})
    return meeting
