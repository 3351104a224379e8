"""Writes for outreach: registering a target, contact attempts, stage transitions, the 支援会議 agenda, and
the hand-over to intake when consent is obtained (nothing retyped).

Stages: 情報収集 → 接触試行 → 関係構築中 → 同意取得 → つながった, with 見守り継続 as a resting stage from which
contact may resume. Every function is atomic, raises OutreachError with a Japanese message, and audits.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.directory.lookup import find_district
from tsunagu.directory.names import role_title
from tsunagu.directory.statutes import STATUTES, SUPPORT_MEETING
from tsunagu.intake import services as intake
from tsunagu.intake.vocab import issue_tags_for
from tsunagu.meetings.models import AgendaItem, Meeting
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action

from .models import (
    CONTACT_KINDS,
    HOLDING_BASES,
    OUTCOMES,
    REACHED,
    ContactAttempt,
    InfoAgreement,
    OutreachTarget,
    TargetAgendaItem,
)
from .policy import is_outreach_staff


class OutreachError(DomainError):
    pass


T = OutreachTarget
# Manual moves; 同意取得 only through obtain_consent, つながった only after it.
TRANSITIONS = {
    T.GATHERING: {T.CONTACTING, T.WATCHING},
    T.CONTACTING: {T.BUILDING, T.WATCHING},
    T.BUILDING: {T.CONTACTING, T.WATCHING},
    T.WATCHING: {T.CONTACTING, T.BUILDING},
    T.CONSENTED: {T.CONNECTED, T.WATCHING},
    T.CONNECTED: set(),
}


def _require_outreach(actor):
    if not is_outreach_staff(actor) or not actor.agency_id:
        raise PermissionDenied(f"この操作は{role_title(actor.municipality, 'outreach')}だけが行えます")


def _stage(actor, target, stage, note="", request=None):
    old = target.stage
    target.stage = stage
    if note:
        target.stage_note = (target.stage_note + "\n" if target.stage_note else "") + note
    target.save(update_fields=["stage", "stage_note"])
    log_action("outreach.stage_changed", actor=actor, obj=target, request=request, detail={"from": old, "to": stage})
    access.sync_targets(target.municipality_id, [target.pk], reason="段階の変更")


@transaction.atomic
def record_agreement(actor, *, partner: str, source: str, scope: str, concluded_on: dt.date,
                     expires_on: dt.date | None = None, note: str = "", request=None) -> InfoAgreement:
    if not (is_outreach_staff(actor) or actor.has_role_kind("manager")):
        m = actor.municipality
        raise PermissionDenied(f"協定を記録できるのは{role_title(m, 'outreach')}か{role_title(m, 'manager')}です")
    if not (partner or "").strip():
        raise OutreachError("協定先を入力してください", field="partner")
    if source not in actor.municipality.outreach_sources:
        raise OutreachError("情報源の種類を選んでください", field="source")
    if not (scope or "").strip():
        raise OutreachError("提供する情報の範囲を入力してください", field="scope")
    if concluded_on is None:
        raise OutreachError("締結日を入力してください", field="concluded_on")
    if expires_on and expires_on < concluded_on:
        raise OutreachError("有効期限は締結日より後の日付にしてください", field="expires_on")
    agreement = InfoAgreement.objects.create(
        municipality_id=actor.municipality_id, partner=partner.strip(), source=source, scope=scope.strip(),
        concluded_on=concluded_on, expires_on=expires_on, note=(note or "").strip(), recorded_by=actor)
    log_action("outreach.agreement_recorded", actor=actor, obj=agreement, request=request)
    return agreement


@transaction.atomic
def register_target(actor, *, address: str, source: str, provider: str, noticed: str, legal_basis: str,
                    found_on: dt.date, name: str = "", kana: str = "", approx_age: str = "",
                    birth_date: dt.date | None = None, phone: str = "", household_note: str = "",
                    issue_tags=(), agreement: InfoAgreement | None = None, request=None) -> OutreachTarget:
    """A report from an information source (e.g. 水道検針) becomes a target in 情報収集."""
    _require_outreach(actor)
    if not (address or "").strip():
        raise OutreachError("住所を入力してください（訪問先の特定に必要です）", field="address")
    if source not in actor.municipality.outreach_sources:
        raise OutreachError("情報源を選んでください（プロファイルの outreach.sources にある情報源）", field="source")
    if not (provider or "").strip():
        raise OutreachError("情報提供者を入力してください", field="provider")
    if not (noticed or "").strip():
        raise OutreachError("気づいた内容を入力してください", field="noticed")
    if legal_basis not in dict(HOLDING_BASES):
        raise OutreachError("情報を保有する根拠を選んでください", field="legal_basis")
    if found_on is None:
        raise OutreachError("把握日を入力してください", field="found_on")
    if found_on > timezone.localdate():
        raise OutreachError("把握日に未来の日付は入力できません", field="found_on")
    if agreement is not None:
        if agreement.municipality_id != actor.municipality_id:
            raise OutreachError("協定が見つかりません", field="agreement")
        if not agreement.in_force_on(found_on):
            raise OutreachError("把握日にこの協定は有効ではありません", field="agreement")
    if legal_basis == "agreement" and agreement is None:
        raise OutreachError("協定に基づく提供の場合は、情報提供協定を選んでください", field="agreement")
    bad = [t for t in issue_tags if t not in issue_tags_for(actor.municipality)]
    if bad:
        raise OutreachError(f"課題「{bad[0]}」は選べません", field="issue_tags")
    target = OutreachTarget.objects.create(
        municipality_id=actor.municipality_id, name=(name or "").strip(), kana=(kana or "").strip(),
        approx_age=(approx_age or "").strip(), birth_date=birth_date, address=address.strip(),
        phone=(phone or "").strip(), district=find_district(actor.municipality, address),
        household_note=(household_note or "").strip(), source=source, provider=provider.strip(),
        agreement=agreement, noticed=noticed.strip(), issue_tags=list(issue_tags), legal_basis=legal_basis,
        found_on=found_on, assigned_to=actor, registered_by=actor)
    log_action("outreach.target_created", actor=actor, obj=target, request=request,
               detail={"source": source, "basis": legal_basis})
    access.sync_targets(actor.municipality_id, [target.pk])
    return target


@transaction.atomic
def record_contact(actor, target: OutreachTarget, *, kind: str, attempted_on: dt.date, outcome: str,
                   note: str = "", request=None) -> ContactAttempt:
    """A contact attempt. The first moves 情報収集 → 接触試行; reaching the person moves on to 関係構築中."""
    _require_outreach(actor)
    target = OutreachTarget.objects.select_for_update().get(pk=target.pk, municipality_id=actor.municipality_id)
    if target.stage in (T.CONSENTED, T.CONNECTED):
        raise OutreachError("同意取得後の支援は、相談・事例の記録に残してください")
    if kind not in dict(CONTACT_KINDS):
        raise OutreachError("接触の方法を選んでください", field="kind")
    if outcome not in dict(OUTCOMES):
        raise OutreachError("結果を選んでください", field="outcome")
    if attempted_on is None:
        raise OutreachError("実施日を入力してください", field="attempted_on")
    if attempted_on > timezone.localdate():
        raise OutreachError("実施日に未来の日付は入力できません", field="attempted_on")
    if attempted_on < target.found_on:
        raise OutreachError("実施日は把握日より後の日付にしてください", field="attempted_on")
    attempt = ContactAttempt.objects.create(
        municipality_id=target.municipality_id, target=target, kind=kind, attempted_on=attempted_on,
        outcome=outcome, note=(note or "").strip(), recorded_by=actor)
    log_action("outreach.contact_recorded", actor=actor, obj=target, request=request,
               detail={"attempt": attempt.pk, "kind": kind, "outcome": outcome})
    if target.stage in (T.GATHERING, T.WATCHING) and outcome not in REACHED:
        _stage(actor, target, T.CONTACTING, request=request)
    elif target.stage in (T.GATHERING, T.CONTACTING, T.WATCHING) and outcome in REACHED:
        _stage(actor, target, T.BUILDING, request=request)
    return attempt


@transaction.atomic
def change_stage(actor, target: OutreachTarget, *, stage: str, note: str = "", request=None) -> OutreachTarget:
    _require_outreach(actor)
    target = OutreachTarget.objects.select_for_update().get(pk=target.pk, municipality_id=actor.municipality_id)
    if stage not in dict(T.STAGE_CHOICES):
        raise OutreachError("段階を選んでください", field="stage")
    if stage == T.CONSENTED:
        raise OutreachError("同意取得は「同意を得て相談受付へ引き継ぐ」から記録してください", field="stage")
    if stage not in TRANSITIONS[target.stage]:
        raise OutreachError(f"「{target.get_stage_display()}」から「{dict(T.STAGE_CHOICES)[stage]}」には進めません",
                            field="stage")
    if stage == T.WATCHING and not (note or "").strip():
        raise OutreachError("見守り継続にする理由と見守りの方法を入力してください", field="note")
    _stage(actor, target, stage, (note or "").strip(), request=request)
    return target


def handover_text(target: OutreachTarget) -> str:
    """The 主訴 of the consultation intake receives: what was noticed and the contact history."""
    lines = [f"【アウトリーチからの引継ぎ】情報源: {target.source}（{target.provider}）／把握日: {target.found_on:%Y-%m-%d}",
             f"気づいた内容: {target.noticed}"]
    if target.household_note:
        lines.append(f"世帯の状況: {target.household_note}")
    for a in target.attempts.all():
        lines.append(f"{a.attempted_on:%Y-%m-%d} {a.get_kind_display()}: {a.get_outcome_display()}"
                     + (f"（{a.note}）" if a.note else ""))
    return "\n".join(lines)


@transaction.atomic
def obtain_consent(actor, target: OutreachTarget, *, name: str = "", kana: str = "",
                   birth_date: dt.date | None = None, consent: dict, channel: str = "訪問",
                   request=None):
    """Consent obtained: create the Person and a 本人同意あり consultation at the actor's agency carrying over
    everything the target holds, link them, and end the 支援会議 sharing under 法106条の6 for this target."""
    _require_outreach(actor)
    target = OutreachTarget.objects.select_for_update().get(pk=target.pk, municipality_id=actor.municipality_id)
    if target.stage not in (T.BUILDING, T.WATCHING, T.CONTACTING):
        raise OutreachError(f"「{target.get_stage_display()}」の対象者からは同意を記録できません（本人と会えてから記録します）")
    name = (name or "").strip() or target.name
    if not name:
        raise OutreachError("本人の氏名を入力してください", field="name")
    consultation = intake.record_consultation(
        actor, new_person={"name": name, "kana": (kana or "").strip() or target.kana,
                           "birth_date": birth_date or target.birth_date, "address": target.address,
                           "phone": target.phone},
        received_at=timezone.now(), channel=channel, consulter_type="本人", consulter_name="",
        chief_complaint=handover_text(target), issue_tags=list(target.issue_tags), consent=consent,
        handover=True, request=request)
    target.person, target.consultation = consultation.person, consultation
    target.name = target.name or name
    target.save(update_fields=["person", "consultation", "name"])
    _stage(actor, target, T.CONSENTED, request=request)
    now = timezone.now()
    for link in target.agenda_links.select_related("item").filter(item__closed_at__isnull=True):
        link.item.closed_at = now
        link.item.save(update_fields=["closed_at"])
        log_action("meeting.item_closed", actor=actor, obj=link.item.meeting, request=request,
                   detail={"item": link.item_id, "reason": "consent_obtained"})
    log_action("outreach.consent_obtained", actor=actor, obj=target, request=request,
               detail={"person": consultation.person_id, "consultation": consultation.pk})
    access.sync_targets(actor.municipality_id, [target.pk], reason="同意を得て引き継いだ")
    return consultation


@transaction.atomic
def put_on_agenda(actor, target: OutreachTarget, meeting: Meeting, *, summary: str = "",
                  request=None) -> AgendaItem:
    """Discuss a target at a 支援会議 (法106条の6): the only legal basis that lets members see a target."""
    _require_outreach(actor)
    if meeting.municipality_id != actor.municipality_id:
        raise OutreachError("会議が見つかりません", field="meeting")
    if not ((actor.agency_id and meeting.convened_by.agency_id == actor.agency_id)
            or meeting.members.filter(staff=actor).exists()):
        raise OutreachError("議題にできるのは、あなたの機関が招集する会議か、あなたが構成員の会議だけです",
                            field="meeting")
    if meeting.status == Meeting.HELD:
        raise OutreachError("開催済みの会議には議題を追加できません", field="meeting")
    support_meeting = STATUTES[SUPPORT_MEETING]
    # A target before consent is no 本人 record of any sector: only 法106条の6 lets members share it. A sector
    # meeting (地域ケア会議 …) rests on its own law, which does not cover a 潜在的支援対象者 of this program.
    if meeting.meeting_type.consent_rule not in ("not_required", "per_item") or \
            meeting.meeting_type.statute != SUPPORT_MEETING:
        raise OutreachError(f"同意のない対象者は{support_meeting.item_basis_label}でだけ検討できます"
                            f"（「{meeting.meeting_type.name}」の根拠は"
                            f"{meeting.meeting_type.basis_text or 'それ以外'}です）", field="meeting")
    if not target.is_open:
        raise OutreachError("同意を得た対象者は、相談・事例として本人同意に基づく会議で検討してください",
                            field="meeting")
    if target.agenda_links.filter(item__meeting=meeting, item__closed_at__isnull=True).exists():
        raise OutreachError("この対象者はすでにこの会議の議題です", field="meeting")
    item = AgendaItem.objects.create(
        municipality_id=meeting.municipality_id, meeting=meeting, purpose=AgendaItem.INFO_SHARING,
        legal_basis=AgendaItem.BASIS_SUPPORT_MEETING, statute=SUPPORT_MEETING, summary=(summary or "").strip()
        or "アウトリーチ対象者（同意前）について、関係機関の把握している状況を共有する。", added_by=actor)
    TargetAgendaItem.objects.create(municipality_id=meeting.municipality_id, target=target, item=item)
    log_action("meeting.item_added", actor=actor, obj=meeting, request=request,
               detail={"item": item.pk, "purpose": item.purpose, "basis": item.legal_basis, "outreach": target.pk})
    log_action("outreach.put_on_agenda", actor=actor, obj=target, request=request, detail={"item": item.pk})
    access.sync_targets(actor.municipality_id, [target.pk])
    return item
