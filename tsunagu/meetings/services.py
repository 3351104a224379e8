"""Writes for meetings. Decisions of a 重層的支援会議 drive the case: approving a plan activates it (R3),
approving an evaluation closes the case (R4); a 社会資源 gap becomes a 地域課題. Consent rules: R2, R8."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.casework.models import Case, Evaluation, SupportPlan
from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.core.templatetags.wareki import wareki_datetime
from tsunagu.directory.models import MeetingType
from tsunagu.directory.names import APPROVING_KINDS, approving_meetings, no_consent_meetings, role_title
from tsunagu.notices import services as notices
from tsunagu.notices.models import Notice
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.models import Consent

from .models import AgendaItem, Meeting, MeetingMember, ResourceGap, item_basis_choices
from .policy import is_organiser, sync_item, sync_meeting


class MeetingError(DomainError):
    pass


def consent_on_file(person):
    """The active consent that lets this person be discussed at a consent-based meeting (R2), or None."""
    for consent in person.consents.filter(withdrawn_at__isnull=True, superseded_at__isnull=True).order_by(
            "-obtained_on", "-id"):
        if consent.allows(Consent.MEETING_PURPOSE):
            return consent
    return None


def _require_organiser(actor, meeting: Meeting):
    if not is_organiser(actor, meeting):
        raise PermissionDenied(f"この操作は会議の招集者（{role_title(meeting.municipality, 'coordinator')}）"
                               "だけが行えます")


def may_schedule(actor, meeting_type: MeetingType | None = None) -> bool:
    """Coordinators of an agency convene meetings; the convener keeps the agenda (names and materials), so a
    manager convenes only meetings that hold no personal data (全体会議 …, R10/G11), and so do a prefecture's own
    staff (e.g. 市町担当者会議)."""
    no_personal_data = meeting_type is None or meeting_type.consent_rule == "none"
    if actor.municipality_id and actor.municipality.is_prefecture:
        return actor.has_role_kind("prefecture", "manager") and no_personal_data
    if not actor.agency_id:
        return False
    return actor.role_kind == "coordinator" or (actor.role_kind == "manager" and no_personal_data)


@transaction.atomic
def schedule_meeting(actor, *, meeting_type: MeetingType, title: str, scheduled_at: dt.datetime, place: str = "",
                     request=None) -> Meeting:
    m = actor.municipality
    if not may_schedule(actor):
        raise PermissionDenied(f"会議を登録できるのは{role_title(m, 'coordinator')}か{role_title(m, 'manager')}"
                               "です")
    if meeting_type is None or meeting_type.municipality_id != actor.municipality_id or not meeting_type.active:
        raise MeetingError("会議の種類を選んでください", field="meeting_type")
    if not may_schedule(actor, meeting_type):
        raise PermissionDenied(f"事例を扱う会議を登録できるのは{role_title(m, 'coordinator')}です"
                               f"（{role_title(m, 'manager')}は個人情報を扱わない全体会議等を登録できます）")
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
    if staff is not None:
        notices.notify(meeting.municipality_id, Notice.MEETING_MEMBER,
                       f"会議 #{meeting.pk}（{wareki_datetime(meeting.scheduled_at)}）の構成員になりました",
                       url=reverse("meeting_detail", args=[meeting.pk]), staff_ids=[staff.pk], exclude=actor)
    sync_meeting(meeting)
    return member


@transaction.atomic
def acknowledge_confidentiality(actor, member: MeetingMember, *, request=None) -> MeetingMember:
    """守秘義務の確認 (the duty of the meeting's statute, e.g. 法106条の6第5項): by the member themself or
    recorded by the organiser (signed pledge)."""
    if actor.pk != member.staff_id and not is_organiser(actor, member.meeting):
        raise PermissionDenied("本人か会議の招集者だけが記録できます")
    if member.confidentiality_acknowledged_at:
        raise MeetingError("守秘義務の確認はすでに記録されています")
    member.confidentiality_acknowledged_at = timezone.now()
    member.acknowledged_recorded_by = actor
    member.save(update_fields=["confidentiality_acknowledged_at", "acknowledged_recorded_by"])
    log_action("meeting.confidentiality_acknowledged", actor=actor, obj=member.meeting, request=request,
               detail={"member": member.pk})
    sync_meeting(member.meeting)
    return member


def _basis_for(meeting: Meeting, requested: str) -> tuple[str, str]:
    """(basis, statute) of a new case item: the meeting's rule decides; a merged meeting asks per item. A sector
    meeting's no-consent item rests on its own statute, never on 法106条の6."""
    mt = meeting.meeting_type
    choices = item_basis_choices(mt)
    if not mt.takes_case_items or not choices:
        raise MeetingError(f"「{mt.name}」では個別の事例を扱えません（プロファイルの takes_case_items）", field="case")
    if mt.consent_rule == "per_item":
        if requested not in dict(choices):
            raise MeetingError(f"この会議（{mt.name}）は議題ごとに根拠を選びます: "
                               f"{' または '.join(label for _, label in choices)}", field="legal_basis")
        basis = requested
    else:
        basis = choices[0][0]
    statute = mt.statute if basis != AgendaItem.BASIS_CONSENT else ""
    if basis != AgendaItem.BASIS_CONSENT and not (mt.confidentiality_duty and mt.law and mt.law.duty_clause):
        # The profile validation refuses such a meeting; a hand-edited row must not slip through either.
        raise MeetingError(f"「{mt.name}」の構成員に法令上の守秘義務が記録されていないため、同意のない議題は扱えません",
                           field="legal_basis")
    return basis, statute


@transaction.atomic
def add_agenda_item(actor, meeting: Meeting, *, purpose: str, case: Case | None = None, person=None,
                    legal_basis: str = "", summary: str = "", request=None) -> AgendaItem:
    _require_organiser(actor, meeting)
    if Meeting.objects.filter(pk=meeting.pk, status=Meeting.HELD).exists():
        raise MeetingError("開催済みの会議には議題を追加できません")
    if purpose not in dict(AgendaItem.PURPOSE_CHOICES):
        raise MeetingError("議題の目的を選んでください", field="purpose")
    plan = evaluation = consent = None
    if purpose == AgendaItem.RESOURCES and case is None and person is None:
        basis = statute = ""
    else:
        if case is None and person is None:
            raise MeetingError("議題の事例を選んでください", field="case")
        if case is not None:
            if case.municipality_id != meeting.municipality_id or case.coordinating_agency_id != actor.agency_id:
                raise MeetingError("事例が見つかりません", field="case")
            person = case.person
        basis, statute = _basis_for(meeting, legal_basis)
        if basis == AgendaItem.BASIS_CONSENT:
            consent = consent_on_file(person)
            if consent is None:
                others = no_consent_meetings(meeting.municipality)
                hint = f"同意を得るまでは{others}で検討してください" if others else "先に本人同意を記録してください"
                raise MeetingError(f"本人同意が記録されていないため、{meeting.meeting_type.name}の議題にできません。"
                                   f"{hint}", field="case")
        if purpose in (AgendaItem.PLAN_REVIEW, AgendaItem.CLOSURE_EVALUATION):
            if basis != AgendaItem.BASIS_CONSENT or meeting.meeting_type.kind not in APPROVING_KINDS:
                raise MeetingError("プランの承認と終結の評価は、本人同意のある"
                                   f"{approving_meetings(meeting.municipality)}でだけ行えます", field="purpose")
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
        municipality_id=meeting.municipality_id, meeting=meeting, purpose=purpose, legal_basis=basis,
        statute=statute, case=case,
        person=person, plan=plan, evaluation=evaluation, consent=consent, summary=(summary or "").strip(),
        added_by=actor)
    log_action("meeting.item_added", actor=actor, obj=meeting, request=request,
               detail={"item": item.pk, "purpose": purpose, "basis": basis, "statute": statute,
                       "case": case.pk if case else None})
    sync_item(item)
    return item


@transaction.atomic
def decide_item(actor, item: AgendaItem, *, decision: str, note: str = "", gap_title: str = "", minutes: str = "",
                request=None) -> AgendaItem:
    """A decision of the meeting, dated with the meeting's held date (not the click); refused before it is held."""
    meeting = item.meeting
    _require_organiser(actor, meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    meeting = Meeting.objects.get(pk=item.meeting_id)
    if meeting.status != Meeting.HELD or meeting.held_at is None:
        raise MeetingError("この会議はまだ開催済みになっていません。開催日と出席者を記録してから決定してください")
    if item.decision:
        raise MeetingError("この議題はすでに決定済みです")
    if decision not in dict(AgendaItem.DECISION_CHOICES):
        raise MeetingError("決定を選んでください", field="decision")
    if item.legal_basis == AgendaItem.BASIS_CONSENT and item.consent and item.consent.withdrawn_at:
        raise MeetingError("本人同意が撤回されたため、この議題は協議できません（R8）")
    now = meeting.held_at
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
    if (minutes or "").strip():
        item.minutes = minutes.strip()
    item.save(update_fields=["decision", "decision_note", "decided_at", "minutes"])
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
        notices.notify(case.municipality_id, Notice.PLAN_SENT_BACK,
                       f"事例 #{case.pk} の支援プラン（第{plan.version}版）が会議で差し戻されました",
                       url=reverse("case_detail", args=[case.pk]), staff_ids=[plan.created_by_id],
                       agency_ids=[case.coordinating_agency_id], exclude=actor)


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
    """End no-consent sharing for this item (e.g. consent obtained → moved to a consent-based meeting)."""
    _require_organiser(actor, item.meeting)
    if item.closed_at:
        raise MeetingError("この議題の共有はすでに終了しています")
    item.closed_at = timezone.now()
    item.save(update_fields=["closed_at"])
    log_action("meeting.item_closed", actor=actor, obj=item.meeting, request=request, detail={"item": item.pk})
    sync_item(item, reason="議題の共有終了")
    return item


MINUTES_FIELDS = ("minutes",)


@transaction.atomic
def save_minutes(actor, meeting: Meeting, *, minutes: str, request=None,
                 edit_version: str | None = None) -> Meeting:
    """The meeting's general minutes. `edit_version`: the version the form was opened on; another save since then
    raises EditConflict. Holding the meeting is `record_held`, never a side effect of the minutes."""
    _require_organiser(actor, meeting)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    concurrency.guard(meeting, MINUTES_FIELDS, edit_version, {"minutes": (minutes or "").strip()})
    meeting.minutes = (minutes or "").strip()
    meeting.save(update_fields=["minutes"])
    log_action("meeting.minutes_saved", actor=actor, obj=meeting, request=request)
    return meeting


@transaction.atomic
def record_held(actor, meeting: Meeting, *, held_at: dt.datetime, attended: list[int], pledged: list[int] = (),
                minutes: str | None = None, request=None) -> Meeting:
    """開催予定 → 開催済み: the held date and who attended (per member). A meeting whose members are bound by a
    statutory duty (支援会議, 法106条の6第5項; sector meetings) records the duty of every attendee: already
    acknowledged, or the signed pledge received at the meeting (`pledged`, recorded by the organiser now)."""
    _require_organiser(actor, meeting)
    meeting = Meeting.objects.select_for_update().select_related("meeting_type").get(pk=meeting.pk)
    if meeting.status == Meeting.HELD:
        raise MeetingError("この会議の開催はすでに記録されています")
    if held_at is None:
        raise MeetingError("開催日時を入力してください", field="held_at")
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise MeetingError("開催日時に未来の日時は記録できません（開催後に記録してください）", field="held_at")
    members = list(meeting.members.all())
    ids = {m.pk for m in members}
    attended, pledged = {int(i) for i in attended}, {int(i) for i in pledged}
    if not attended:
        raise MeetingError("出席した構成員を選んでください", field="attended")
    if not attended <= ids or not pledged <= ids:
        raise MeetingError("この会議の構成員ではない人が選ばれています", field="attended")
    now = timezone.now()
    if meeting.meeting_type.confidentiality_duty:
        missing = [m.label for m in members if m.pk in attended and not m.confidentiality_acknowledged_at
                   and m.pk not in pledged]
        if missing:
            raise MeetingError(f"守秘義務の確認が記録されていない出席者がいます: {'、'.join(missing)}"
                               "（誓約書を受け取った場合は「誓約書を受領」を選んでください）", field="attended")
        for m in members:
            if m.pk in pledged and m.pk in attended and not m.confidentiality_acknowledged_at:
                m.confidentiality_acknowledged_at, m.acknowledged_recorded_by = now, actor
    for m in members:
        m.attended = m.pk in attended
    MeetingMember.objects.bulk_update(members, ["attended", "confidentiality_acknowledged_at",
                                                "acknowledged_recorded_by"])
    meeting.status, meeting.held_at = Meeting.HELD, held_at
    meeting.held_recorded_by, meeting.held_recorded_at = actor, now
    fields = ["status", "held_at", "held_recorded_by", "held_recorded_at"]
    if minutes is not None and minutes.strip():
        meeting.minutes = minutes.strip()
        fields.append("minutes")
    meeting.save(update_fields=fields)
    log_action("meeting.held", actor=actor, obj=meeting, request=request,
               detail={"held_at": held_at.isoformat(), "attended": sorted(attended), "pledged": sorted(pledged)})
    if pledged:
        sync_meeting(meeting)
    return meeting


@transaction.atomic
def save_item_minutes(actor, item: AgendaItem, *, minutes: str, request=None) -> AgendaItem:
    """The minutes of one agenda item (seen by whoever sees the item's materials: G5–G7)."""
    _require_organiser(actor, item.meeting)
    item = AgendaItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if item.meeting.status != Meeting.HELD:
        raise MeetingError("議題の議事録は、会議の開催を記録してから入力してください")
    if not (minutes or "").strip():
        raise MeetingError("議事録を入力してください", field="minutes")
    item.minutes = minutes.strip()
    item.save(update_fields=["minutes"])
    log_action("meeting.item_minutes_saved", actor=actor, obj=item.meeting, request=request, detail={"item": item.pk})
    return item
