"""Writes for intake: recording a consultation, triage, referrals (つなぎ) and closing (R1, R5).

Every function here is atomic, checks the rules, raises IntakeError with a Japanese message, and audits.
`at` sets the business time of a transition for imported ledgers and demo data; the audit entry always
carries the real time of the write.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu.core import concurrency
from tsunagu.core.errors import DomainError
from tsunagu.directory.models import Agency
from tsunagu.notices import services as notices
from tsunagu.notices.models import Notice
from tsunagu.people.models import Person
from tsunagu.people.services import create_household, create_person
from tsunagu.privacy import access, corrections
from tsunagu.privacy.audit import log_action
from tsunagu.privacy.models import STATUTORY_BASES
from tsunagu.privacy.services import active_consent_for, record_consent, record_disclosure

from .models import Consultation, ConsultationNote, Referral
from .vocab import CHANNELS, CONSULTERS, SENSITIVE_CATEGORIES, URGENCIES, issue_tags_for


class IntakeError(DomainError):
    pass


# What a referral shares (R1): with consent, the basic record; on a statutory basis, the minimum.
SHARED_WITH_CONSENT = ["氏名", "フリガナ", "生年月日", "性別", "住所", "電話", "使用言語", "世帯の状況", "主訴", "課題", "緊急度",
                       "相談経路", "相談者"]
SHARED_WITHOUT_CONSENT = ["氏名", "フリガナ", "主訴", "課題", "緊急度"]


def _require_agency(actor, *, handover: bool = False):
    if not actor.is_authenticated or not actor.agency_id or not actor.municipality_id:
        raise PermissionDenied("所属機関のある職員だけが相談を扱えます")
    if handover and actor.role_kind == "outreach":
        return
    if not actor.is_casework:
        raise PermissionDenied("相談を扱えるのは、相談支援の役割（窓口担当・推進員・多機関協働）の職員だけです")


@transaction.atomic
def record_consultation(actor, *, person: Person | None = None, new_person: dict | None = None,
                        received_at: dt.datetime, channel: str, consulter_type: str, consulter_name: str = "",
                        chief_complaint: str, detail: str = "", issue_tags: list[str] = (),
                        urgency: str = "normal",
                        sensitive_categories: list[str] = (), sensitive_notes: str = "",
                        household_members: list[dict] = (), consent: dict | None = None,
                        handover: bool = False, request=None) -> Consultation:
    """The 相談受付・申込票 (本人同意あり／なし). `consent` (scope, method, date) makes it the 同意あり version.

    Writing never widens a grant (ACCESS.md invariant 1): the consultation is about a person record of the
    actor's own agency. When the worker picks a person another agency recorded (seen, say, through a referral),
    a record of this agency is made from what the worker enters (`new_person`: the name at least, and whatever
    the person tells this window — an address, a phone) and linked to the other as the same person (名寄せ);
    the other agency's fields stay behind their own grants.

    `handover`: the outreach role hands a target over once consent is obtained (outreach.services); the
    consultation becomes a record of its agency, for that agency's casework roles (G8 ends with it).
    """
    _require_agency(actor, handover=handover)
    if person is None and not new_person:
        raise IntakeError("本人を選ぶか、新しく登録してください", field="person")
    linked_to = None
    if person is not None:
        if person.municipality_id != actor.municipality_id or not Person.objects.visible_to(actor).filter(
                pk=person.pk).exists():
            raise IntakeError("選んだ本人の記録を見る権限がありません", field="person")
        if person.recorded_by_agency_id != actor.agency_id:
            if not new_person or not (new_person.get("name") or "").strip():
                raise IntakeError("他の機関が記録した方です。この窓口の記録として、氏名（と聞き取った基本情報）を"
                                  "入力してください", field="name")
            linked_to, person = person, None
    if channel not in CHANNELS:
        raise IntakeError("相談経路を選んでください", field="channel")
    if consulter_type not in CONSULTERS:
        raise IntakeError("相談者を選んでください", field="consulter_type")
    if not (chief_complaint or "").strip():
        raise IntakeError("主訴を入力してください", field="chief_complaint")
    if urgency not in dict(URGENCIES):
        raise IntakeError("緊急度を選んでください", field="urgency")
    vocabulary = issue_tags_for(actor.municipality)
    bad = [t for t in issue_tags if t not in vocabulary]
    if bad:
        raise IntakeError(f"課題「{bad[0]}」は選べません", field="issue_tags")
    bad = [c for c in sensitive_categories if c not in SENSITIVE_CATEGORIES]
    if bad:
        raise IntakeError(f"要配慮個人情報の種類「{bad[0]}」は選べません", field="sensitive_categories")
    if received_at is None:
        raise IntakeError("受付日時を入力してください", field="received_at")
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise IntakeError("受付日時に未来の日時は入力できません", field="received_at")

    if person is None:
        person = create_person(actor, new_person, request=request)
        if linked_to is not None:
            from tsunagu.identity.services import link_at_intake

            link_at_intake(actor, person, linked_to, request=request)
    household = None
    if household_members:
        household = create_household(actor, head=person, members=list(household_members), request=request)
    consultation = Consultation.objects.create(
        municipality_id=actor.municipality_id, agency_id=actor.agency_id, received_by=actor,
        received_at=received_at, channel=channel, consulter_type=consulter_type,
        consulter_name=(consulter_name or "").strip(), person=person, household=household,
        chief_complaint=chief_complaint.strip(), detail=(detail or "").strip(), issue_tags=list(issue_tags),
        urgency=urgency,
        with_consent=bool(consent), sensitive_categories=list(sensitive_categories),
        sensitive_notes=(sensitive_notes or "").strip(),
    )
    if consent:
        record_consent(actor, person=person, consultation=consultation, request=request, check=not handover,
                       **consent)
    log_action("consultation.created", actor=actor, obj=consultation, request=request,
               detail={"person": person.pk, "with_consent": bool(consent), "tags": list(issue_tags)})
    return consultation


def _check_can_refer(actor, consultation: Consultation, to_agency: Agency):
    if consultation.agency_id != actor.agency_id:
        raise PermissionDenied("つなぐことができるのは、相談を受けた機関だけです")
    if consultation.is_closed:
        raise IntakeError("終了した相談はつなげません")
    if to_agency is None:
        raise IntakeError("つなぎ先を選んでください", field="to_agency")
    if to_agency.municipality_id != actor.municipality_id or not to_agency.active:
        raise IntakeError("つなぎ先の機関が見つかりません", field="to_agency")
    if to_agency.pk == actor.agency_id:
        raise IntakeError("自分の機関にはつなげません", field="to_agency")
    if consultation.referrals.filter(to_agency=to_agency, status=Referral.SENT).exists():
        raise IntakeError(f"{to_agency.name} には回答待ちのつなぎがすでにあります", field="to_agency")


@transaction.atomic
def refer_consultation(actor, consultation: Consultation, *, to_agency: Agency, message: str = "",
                       statutory_basis: str = "", purpose: str = "referral", previous: Referral | None = None,
                       request=None, at: dt.datetime | None = None) -> Referral:
    """Send a referral (つなぎ). With an active consent covering `to_agency` the basic record is shared;
    without it a statutory basis is required and only the minimum is shared (R1)."""
    _require_agency(actor)
    _check_can_refer(actor, consultation, to_agency)
    consent = active_consent_for(consultation.person, to_agency,
                                 "多機関協働" if purpose == "multiagency" else "関係機関へのつなぎ")
    if consent is not None:
        basis, items, statutory_basis = Referral.BASIS_CONSENT, SHARED_WITH_CONSENT, ""
    else:
        if statutory_basis not in STATUTORY_BASES:
            raise IntakeError("本人同意がこの機関への共有を含まないため、法令上の根拠を選んでください",
                              field="statutory_basis")
        basis, items = Referral.BASIS_STATUTORY, SHARED_WITHOUT_CONSENT
    referral = Referral.objects.create(
        municipality_id=actor.municipality_id, consultation=consultation, person=consultation.person,
        from_agency_id=actor.agency_id, to_agency=to_agency, sent_by=actor, sent_at=at or timezone.now(),
        message=(message or "").strip(), basis=basis, consent=consent, statutory_basis=statutory_basis,
        purpose=purpose, previous=previous,
    )
    record_disclosure(actor, person=consultation.person, from_agency=consultation.agency, to_agency=to_agency,
                      basis=basis, items=items, consent=consent, statutory_basis=statutory_basis,
                      consultation=consultation, referral=referral, request=request)
    consultation.triage = "multiagency" if purpose == "multiagency" else "refer"
    consultation.status = "multiagency" if purpose == "multiagency" else "referred"
    consultation.save(update_fields=["triage", "status"])
    log_action("referral.resent" if previous else "referral.sent", actor=actor, obj=referral, request=request,
               subject_person_id=consultation.person_id,
               detail={"consultation": consultation.pk, "to": to_agency.pk, "basis": basis, "purpose": purpose,
                       "previous": previous.pk if previous else None})
    notices.notify(actor.municipality_id, Notice.REFERRAL_RECEIVED,
                   f"つなぎ #{referral.pk} を受け取りました（{consultation.agency.name}から）",
                   url=reverse("referral_detail", args=[referral.pk]), agency_ids=[to_agency.pk], exclude=actor)
    access.sync_person(consultation.person)
    return referral


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("consultation").get(pk=referral.pk)


@transaction.atomic
def accept_referral(actor, referral: Referral, *, note: str = "", request=None,
                    at: dt.datetime | None = None) -> Referral:
    _require_agency(actor)
    referral = _lock_referral(referral)
    if referral.to_agency_id != actor.agency_id:
        raise PermissionDenied("このつなぎに回答できるのは、つなぎ先の機関だけです")
    if referral.status != Referral.SENT:
        raise IntakeError(f"このつなぎはすでに「{referral.get_status_display()}」です")
    referral.status = Referral.ACCEPTED
    referral.responded_by = actor
    referral.responded_at = at or timezone.now()
    referral.response_note = (note or "").strip()
    referral.save(update_fields=["status", "responded_by", "responded_at", "response_note"])
    log_action("referral.accepted", actor=actor, obj=referral, request=request)
    if referral.purpose == "referral":  # a hand-over to 多機関協働 becomes a case instead (casework.open_case)
        take_on_referral(actor, referral, request=request)
    return referral


@transaction.atomic
def take_on_referral(actor, referral: Referral, *, request=None) -> Consultation:
    """受理: the receiving agency's own consultation record, linked to the referral, on which it holds G1 (what it
    writes there is its own: 支援経過, つなぎ, 多機関協働への引継ぎ, 終了 — the same services as the first window).

    Nothing the sending agency recorded is copied (ACCESS.md invariant 1: writing never widens a grant): the record
    names the same person, whom the receiver sees only through the referral's grant (G2: ID + BASIC, a masked
    address never; G3: ID only) and not at all once that grant ends. It carries the referral's own non-identifying
    facts: 課題タグ and 緊急度, the sending agency as the consulter, and as 主訴 a neutral line naming the referral
    (the sender's 主訴 stays behind the referral's grant)."""
    if referral.to_agency_id != actor.agency_id or referral.status != Referral.ACCEPTED:
        raise PermissionDenied("受理したつなぎ先の機関だけが記録を作れます")
    existing = Consultation.objects.filter(source_referral=referral).first()
    if existing is not None:
        return existing
    source = referral.consultation
    consultation = Consultation.objects.create(
        municipality_id=actor.municipality_id, agency_id=actor.agency_id, received_by=actor,
        received_at=referral.responded_at or timezone.now(), channel="関係機関から", consulter_type="関係機関",
        consulter_name=referral.from_agency.name, person_id=referral.person_id,
        chief_complaint=f"{referral.from_agency.name}からのつなぎ（つなぎ #{referral.pk}）を受理",
        issue_tags=list(source.issue_tags), urgency=source.urgency,
        with_consent=referral.basis == Referral.BASIS_CONSENT, source_referral=referral, triage="self",
    )
    log_action("consultation.taken_on", actor=actor, obj=consultation, request=request,
               subject_person_id=referral.person_id, detail={"referral": referral.pk, "basis": referral.basis})
    return consultation


@transaction.atomic
def add_consultation_note(actor, consultation: Consultation, *, kind: str, occurred_at: dt.datetime, text: str,
                          request=None) -> ConsultationNote:
    """支援経過記録 on a consultation: by the casework roles of the agency that holds it (G1)."""
    _require_agency(actor)
    if consultation.agency_id != actor.agency_id:
        raise PermissionDenied("支援経過を記録できるのは、この相談を受けた機関だけです")
    if kind not in dict(ConsultationNote.KIND_CHOICES):
        raise IntakeError("種類を選んでください", field="kind")
    if not (text or "").strip():
        raise IntakeError("内容を入力してください", field="text")
    if occurred_at is None:
        raise IntakeError("日時を入力してください", field="occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise IntakeError("未来の日時の経過は記録できません", field="occurred_at")
    note = ConsultationNote.objects.create(municipality_id=consultation.municipality_id, consultation=consultation,
                                           agency_id=actor.agency_id, author=actor, occurred_at=occurred_at,
                                           kind=kind, text=text.strip())
    log_action("consultation.note_added", actor=actor, obj=consultation, request=request,
               subject_person_id=consultation.person_id, detail={"note": note.pk})
    return note


@transaction.atomic
def return_referral(actor, referral: Referral, *, reason: str, suggested_agency: Agency | None,
                    request=None, at: dt.datetime | None = None) -> Referral:
    """断らない (R5): a return always carries a reason and a suggested next destination."""
    _require_agency(actor)
    referral = _lock_referral(referral)
    if referral.to_agency_id != actor.agency_id:
        raise PermissionDenied("このつなぎに回答できるのは、つなぎ先の機関だけです")
    if referral.status != Referral.SENT:
        raise IntakeError(f"このつなぎはすでに「{referral.get_status_display()}」です")
    if not (reason or "").strip():
        raise IntakeError("差し戻す理由を入力してください", field="reason")
    if suggested_agency is None:
        raise IntakeError("次のつなぎ先の提案を選んでください（断らない相談のため、差し戻しには提案が必要です）",
                          field="suggested_agency")
    if suggested_agency.municipality_id != actor.municipality_id or suggested_agency.pk == actor.agency_id:
        raise IntakeError("提案するつなぎ先には、自分の機関以外の市内の機関を選んでください", field="suggested_agency")
    referral.status = Referral.RETURNED
    referral.responded_by = actor
    referral.responded_at = at or timezone.now()
    referral.return_reason = reason.strip()
    referral.suggested_agency = suggested_agency
    referral.save(update_fields=["status", "responded_by", "responded_at", "return_reason", "suggested_agency"])
    consultation = referral.consultation
    if not consultation.referrals.filter(status__in=[Referral.SENT, Referral.ACCEPTED]).exists():
        consultation.status = "open"
        consultation.save(update_fields=["status"])
    log_action("referral.returned", actor=actor, obj=referral, request=request,
               detail={"suggested": suggested_agency.pk})
    notices.notify(actor.municipality_id, Notice.REFERRAL_RETURNED,
                   f"つなぎ #{referral.pk} が{referral.to_agency.name}から差し戻されました"
                   "（理由と次のつなぎ先の提案を確認してください）",
                   url=reverse("referral_detail", args=[referral.pk]), staff_ids=[referral.sent_by_id], exclude=actor)
    access.sync_persons(referral.municipality_id, [referral.person_id], reason="つなぎの差し戻し")
    return referral


@transaction.atomic
def resend_referral(actor, referral: Referral, *, to_agency: Agency | None = None, message: str = "",
                    statutory_basis: str = "", request=None, at: dt.datetime | None = None) -> Referral:
    """After a return, send again — by default to the suggested destination."""
    _require_agency(actor)
    referral = _lock_referral(referral)
    if referral.from_agency_id != actor.agency_id:
        raise PermissionDenied("再送できるのは、つなぎ元の機関だけです")
    if referral.status != Referral.RETURNED:
        raise IntakeError("再送できるのは差し戻されたつなぎだけです")
    if referral.resends.exists():
        raise IntakeError("このつなぎはすでに再送されています")
    return refer_consultation(actor, referral.consultation, to_agency=to_agency or referral.suggested_agency,
                              message=message or referral.message, statutory_basis=statutory_basis,
                              purpose=referral.purpose, previous=referral, request=request, at=at)


def escalate_to_multiagency(actor, consultation: Consultation, *, message: str = "", statutory_basis: str = "",
                            request=None, at: dt.datetime | None = None) -> Referral:
    """Hand a complex case (複雑化・複合化) to 多機関協働: a referral to the agency that runs it."""
    target = next((a for a in Agency.objects.for_municipality(actor.municipality).filter(active=True)
                   if "多機関協働" in a.kinds), None)
    if target is None:
        raise IntakeError("この自治体のプロファイルに多機関協働の機関がありません")
    if target.pk == actor.agency_id:
        raise IntakeError("多機関協働の機関が受けた相談は、事例として登録してください（多機関協働の画面で扱います）")
    return refer_consultation(actor, consultation, to_agency=target, message=message,
                              statutory_basis=statutory_basis, purpose="multiagency", request=request, at=at)


@transaction.atomic
def handle_in_house(actor, consultation: Consultation, *, request=None) -> Consultation:
    _require_agency(actor)
    if consultation.agency_id != actor.agency_id:
        raise PermissionDenied("対応方針を決められるのは、相談を受けた機関だけです")
    if consultation.is_closed:
        raise IntakeError("終了した相談です")
    consultation.triage = "self"
    consultation.save(update_fields=["triage"])
    log_action("consultation.triaged", actor=actor, obj=consultation, request=request, detail={"triage": "self"})
    return consultation


@transaction.atomic
def close_consultation(actor, consultation: Consultation, *, outcome: str, next_step: str,
                       request=None, at: dt.datetime | None = None) -> Consultation:
    """断らない (R5): nothing closes without a next step; nothing closes while a referral awaits an answer."""
    _require_agency(actor)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.agency_id != actor.agency_id:
        raise PermissionDenied("終了できるのは、相談を受けた機関だけです")
    if consultation.is_closed:
        raise IntakeError("この相談はすでに終了しています")
    if outcome not in ("self", "info", "refer", "multiagency"):
        raise IntakeError("終了の区分を選んでください", field="outcome")
    if not (next_step or "").strip():
        raise IntakeError("次の一歩（提供した情報、つないだ先、今後の見守りなど）を入力してください。"
                          "次の一歩のない終了はできません", field="next_step")
    if consultation.referrals.filter(status=Referral.SENT).exists():
        raise IntakeError("回答待ちのつなぎがあります。受理または差し戻しの回答を待ってから終了してください")
    consultation.triage = consultation.triage or outcome
    if outcome == "info":
        consultation.triage = "info"
    consultation.status = "closed"
    consultation.next_step = next_step.strip()
    consultation.closed_at = at or timezone.now()
    consultation.closed_by = actor
    consultation.save(update_fields=["triage", "status", "next_step", "closed_at", "closed_by"])
    log_action("consultation.closed", actor=actor, obj=consultation, request=request,
               detail={"outcome": outcome})
    return consultation




# ------------------------------------------------------------------------------------------------ 訂正

CONSULTATION_CORRECTION = [
    corrections.FieldSpec("consulter_name", "相談者の氏名・機関名", access.CONTENT),
    corrections.FieldSpec("chief_complaint", "主訴", access.ID),
    corrections.FieldSpec("detail", "相談の内容（詳細）", access.CONTENT),
    corrections.FieldSpec("issue_tags", "課題", access.ID),
    corrections.FieldSpec("urgency", "緊急度", access.ID, text=lambda v: dict(URGENCIES).get(v, v)),
    corrections.FieldSpec("sensitive_categories", "要配慮個人情報の種類", access.SENSITIVE),
    corrections.FieldSpec("sensitive_notes", "要配慮個人情報の内容", access.SENSITIVE),
]
CONSULTATION_CORRECTION_FIELDS = [s.name for s in CONSULTATION_CORRECTION]


@transaction.atomic
def correct_consultation(actor, consultation: Consultation, data: dict, *, reason: str,
                         edit_version: str | None = None, request=None) -> Consultation:
    """訂正: the agency that received the consultation changes it; the earlier values stay in the history, and
    the agencies it was referred to (whose grant opens a changed field) are told."""
    if not access.owns(actor, consultation.agency_id):
        raise PermissionDenied("この相談を訂正できるのは、受け付けた機関の相談支援の職員だけです")
    reason = corrections.require_reason(reason)
    values = {"consulter_name": (data.get("consulter_name") or "").strip()[:100],
              "chief_complaint": (data.get("chief_complaint") or "").strip(),
              "detail": (data.get("detail") or "").strip(), "issue_tags": list(data.get("issue_tags") or []),
              "urgency": data.get("urgency") or "",
              "sensitive_categories": list(data.get("sensitive_categories") or []),
              "sensitive_notes": (data.get("sensitive_notes") or "").strip()}
    if not values["chief_complaint"]:
        raise IntakeError("主訴を入力してください", field="chief_complaint")
    if values["urgency"] not in dict(URGENCIES):
        raise IntakeError("緊急度を選んでください", field="urgency")
    vocabulary = issue_tags_for(actor.municipality)
    bad = [t for t in values["issue_tags"] if t not in vocabulary and t not in consultation.issue_tags]
    if bad:
        raise IntakeError(f"課題「{bad[0]}」は選べません", field="issue_tags")
    bad = [c for c in values["sensitive_categories"] if c not in SENSITIVE_CATEGORIES]
    if bad:
        raise IntakeError(f"要配慮個人情報の種類「{bad[0]}」は選べません", field="sensitive_categories")
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    concurrency.guard(consultation, CONSULTATION_CORRECTION_FIELDS, edit_version, values)
    corrections.apply(actor, consultation, CONSULTATION_CORRECTION, values, record_type="consultation",
                      person_id=consultation.person_id, reason=reason, error=IntakeError, request=request)
    return consultation
