"""Consent and disclosure: recording them, withdrawing consent (R1, R8)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.notices import services as notices
from tsunagu.notices.models import Notice

from . import access
from .audit import log_action
from .models import STATUTORY_BASES, AddressRelease, Consent, Disclosure, EmergencyAccess


class ConsentError(DomainError):
    pass


def may_record_consent(actor, person) -> bool:
    """Who may record (or change) a consent: a casework role that sees at least the person's name — the agency
    that recorded the person, a window with a referral, the coordinator of a case that began without consent.
    A consent never shows anything by itself; the grants it allows are checked against its scope."""
    if not getattr(actor, "is_casework", False) or person.municipality_id != actor.municipality_id:
        return False
    return access.sight(actor, person).person(person).visible


@transaction.atomic
def record_consent(actor, *, person, consultation=None, scope_all_agencies: bool = False, scope_agencies=(),
                   scope_staff=(), purposes=(), method: str, obtained_on: dt.date, note: str = "",
                   supersedes: Consent | None = None, check: bool = True, request=None) -> Consent:
    """`check=False` only for the outreach hand-over, which records the consent with the new person record."""
    if not actor.agency_id:
        raise ConsentError("同意を記録するには所属機関が必要です")
    if check and not may_record_consent(actor, person):
        raise ConsentError("この方の同意を記録する権限がありません")
    if method not in dict(Consent.METHOD_CHOICES):
        raise ConsentError("同意の方法（書面・口頭）を選んでください", field="consent_method")
    if obtained_on is None:
        raise ConsentError("同意日を入力してください", field="consent_date")
    if obtained_on > timezone.localdate():
        raise ConsentError("同意日に未来の日付は入力できません", field="consent_date")
    scope_agencies = list(scope_agencies)
    if not scope_all_agencies and not scope_agencies:
        raise ConsentError("共有してよい機関を選ぶか「市内の関係機関すべて」を選んでください", field="consent_scope")
    for agency in scope_agencies:
        if agency.municipality_id != actor.municipality_id:
            raise ConsentError("共有先に別の自治体の機関は指定できません", field="consent_scope")
    scope_staff = list(scope_staff)
    for staff in scope_staff:
        if staff.municipality_id != actor.municipality_id:
            raise ConsentError("共有先に別の自治体の職員は指定できません", field="consent_scope")
    unknown = [p for p in purposes if p not in Consent.PURPOSES]
    if unknown:
        raise ConsentError(f"目的「{unknown[0]}」は選べません", field="consent_purposes")
    if supersedes is not None:
        supersedes = Consent.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.person_id != person.pk:
            raise ConsentError("別の方の同意は変更できません")
        if not supersedes.is_active:
            raise ConsentError("この同意はすでに撤回または変更されています。最新の同意を変更してください")
    consent = Consent.objects.create(
        municipality_id=actor.municipality_id, person=person, consultation=consultation,
        recording_agency_id=actor.agency_id, recorded_by=actor, scope_all_agencies=scope_all_agencies,
        purposes=list(purposes), method=method, obtained_on=obtained_on, note=note, supersedes=supersedes,
    )
    consent.scope_agencies.set(scope_agencies)
    consent.scope_staff.set(scope_staff)
    if supersedes is not None:
        supersedes.superseded_at = timezone.now()
        supersedes.save(update_fields=["superseded_at"])
    log_action("consent.changed" if supersedes else "consent.recorded", actor=actor, obj=consent, request=request,
               subject_person_id=person.pk,
               detail={"person": person.pk, "all": scope_all_agencies, "agencies": [a.pk for a in scope_agencies],
                       "staff": [s.pk for s in scope_staff], "purposes": list(purposes), "method": method,
                       "supersedes": supersedes.pk if supersedes else None})
    # Grants follow the consent at once, both ways (ACCESS.md invariants 2 and 3).
    access.sync_person(person, reason="本人同意の変更" if supersedes else "")
    return consent


@transaction.atomic
def withdraw_consent(actor, consent: Consent, *, note: str, request=None) -> Consent:
    """Stops further sharing at once (R8); earlier disclosures stay in the log."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ConsentError("この同意はすでに撤回されています")
    if not note.strip():
        raise ConsentError("撤回の経緯（いつ・誰から申し出があったか）を入力してください", field="note")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_note = note.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    affected = list(consent.referrals.values_list("to_agency_id", flat=True).distinct())
    log_action("consent.withdrawn", actor=actor, obj=consent, request=request, subject_person_id=consent.person_id,
               detail={"person": consent.person_id, "agencies_losing_access": affected})
    access.sync_persons(consent.municipality_id, [consent.person_id], reason="本人同意の撤回")
    return consent


def active_consents(municipality_id: int, person_ids) -> dict[int, list[Consent]]:
    """Active consents (not withdrawn, not superseded) of these persons, newest first, scopes prefetched."""
    out: dict[int, list[Consent]] = {}
    for consent in (Consent.objects.filter(municipality_id=municipality_id, person_id__in=list(person_ids),
                                           withdrawn_at__isnull=True, superseded_at__isnull=True)
                    .prefetch_related("scope_agencies", "scope_staff").order_by("-obtained_on", "-id")):
        out.setdefault(consent.person_id, []).append(consent)
    return out


def covering(consents, *, purpose: str, agency_id=None, staff_id=None):
    """The first consent that allows `purpose` and names the agency (or, for a member outside any agency, the
    person) in its scope (ACCESS.md invariant 3), or None."""
    for consent in consents or ():
        if not consent.allows(purpose):
            continue
        if agency_id and (consent.scope_all_agencies or any(a.pk == agency_id for a in consent.scope_agencies.all())):
            return consent
        if staff_id and any(s.pk == staff_id for s in consent.scope_staff.all()):
            return consent
    return None


def active_consent_for(person, agency, purpose: str = "関係機関へのつなぎ"):
    """The newest active consent of `person` that covers sharing with `agency` for `purpose`, or None."""
    return covering(active_consents(person.municipality_id, [person.pk]).get(person.pk), purpose=purpose,
                    agency_id=agency.pk)


def released_addresses(municipality_id: int, person_ids) -> set[tuple]:
    """(kind, referral_id or case_id, agency_id) of masked addresses the recording agency released."""
    return {(r.kind, r.referral_id or r.case_id, r.agency_id) for r in AddressRelease.objects.filter(
        municipality_id=municipality_id, person_id__in=list(person_ids), revoked_at__isnull=True)}


def record_disclosure(actor, *, person, from_agency, to_agency, basis: str, items: list[str], consent=None,
                      statutory_basis: str = "", consultation=None, referral=None, request=None) -> Disclosure:
    if basis == "statutory" and statutory_basis not in STATUTORY_BASES:
        raise ConsentError("法令上の根拠を選んでください", field="statutory_basis")
    if basis == "consent" and (consent is None or not consent.is_active):
        raise ConsentError("有効な本人同意がありません")
    disclosure = Disclosure.objects.create(
        municipality_id=actor.municipality_id, person=person, consultation=consultation, referral=referral,
        from_agency=from_agency, to_agency=to_agency, basis=basis, consent=consent,
        statutory_basis=statutory_basis, items=items, disclosed_by=actor, disclosed_at=timezone.now(),
    )
    log_action("disclosure.recorded", actor=actor, obj=disclosure, request=request,
               detail={"person": person.pk, "to": to_agency.pk, "basis": basis, "statutory": statutory_basis,
                       "items": items})
    return disclosure


# ------------------------------------------------------------------------------------------------ 緊急時の閲覧

DEFAULT_EMERGENCY_BASES = {
    "vital_private": "人の生命・身体・財産の保護のために必要で、本人の同意を得ることが困難（個人情報保護法第27条第1項第2号・民間の事業者）",
    "vital_public": "本人以外の者に提供することが明らかに本人の利益になる・特別の理由がある（個人情報保護法第69条第2項第4号・市の機関）",
}
DEFAULT_EMERGENCY_HOURS = 24


def emergency_settings(municipality) -> tuple[dict[str, str], int]:
    """The bases the profile lists for emergency access, and how long it lasts (hours)."""
    conf = (municipality.profile or {}).get("emergency_access") or {}
    bases = {b["code"]: b["label"] for b in conf.get("bases") or []} or DEFAULT_EMERGENCY_BASES
    return bases, int(conf.get("hours") or DEFAULT_EMERGENCY_HOURS)


@transaction.atomic
def break_glass(actor, *, persons, basis: str, reason: str, request=None) -> list[EmergencyAccess]:
    """緊急時の閲覧 (ACCESS.md G10): a casework user states a reason and a basis; for a limited time they see the
    ID and BASIC of these person records (never a masked address). The recording agency and the manager are
    told (今日やること) and review it afterwards."""
    if not getattr(actor, "is_casework", False):
        raise ConsentError("緊急時の閲覧は、相談支援の役割（窓口・推進員・多機関協働）の職員だけが行えます")
    bases, hours = emergency_settings(actor.municipality)
    if basis not in bases:
        raise ConsentError("根拠を選んでください", field="basis")
    if len((reason or "").strip()) < 10:
        raise ConsentError("理由を具体的に（10文字以上）入力してください（誰の生命・身体を守るために、何を確かめるのか）",
                           field="reason")
    persons = [p for p in persons if p.municipality_id == actor.municipality_id]
    if not persons:
        raise ConsentError("該当する方が見つかりません")
    now = timezone.now()
    out = []
    for person in persons:
        ea = EmergencyAccess.objects.create(
            municipality_id=actor.municipality_id, person=person, staff=actor, agency_id=actor.agency_id,
            basis=basis, basis_label=bases[basis], reason=reason.strip(), started_at=now,
            expires_at=now + dt.timedelta(hours=hours))
        notices.notify(actor.municipality_id, Notice.EMERGENCY_ACCESS,
                       f"緊急時の閲覧 #{ea.pk} がありました（{actor.agency.name if actor.agency else '所属なし'}）。"
                       "内容を確認してください",
                       url=reverse("emergency_list"), agency_ids=[person.recorded_by_agency_id],
                       role_kinds=["manager"], exclude=actor)
        log_action("emergency.granted", actor=actor, obj=ea, request=request, subject_person_id=person.pk,
                   reason=bases[basis][:300], detail={"person": person.pk, "hours": hours})
        out.append(ea)
    access.sync_persons(actor.municipality_id, [p.pk for p in persons])
    return out


@transaction.atomic
def review_emergency_access(actor, ea: EmergencyAccess, *, note: str, request=None) -> EmergencyAccess:
    ea = EmergencyAccess.objects.select_for_update().get(pk=ea.pk)
    if ea.reviewed_at:
        raise ConsentError("この緊急時の閲覧はすでに確認済みです")
    if not (note or "").strip():
        raise ConsentError("確認の結果（適切だったか、本人への説明など）を入力してください", field="note")
    ea.reviewed_by, ea.reviewed_at, ea.review_note = actor, timezone.now(), note.strip()
    ea.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    log_action("emergency.reviewed", actor=actor, obj=ea, request=request)
    return ea


# ------------------------------------------------------------------------------------------------ 秘匿住所の開示

@transaction.atomic
def release_address(actor, *, person, kind: str, agency, referral_id=None, case_id=None, reason: str,
                    request=None) -> AddressRelease:
    """Only the agency that recorded a masked person may show the address, and only to a named grant
    (ACCESS.md invariant 6)."""
    if not access.owns(actor, person.recorded_by_agency_id):
        raise ConsentError("秘匿された住所を開示できるのは、本人を記録した機関だけです")
    if not person.address_masked:
        raise ConsentError("この方の住所は秘匿されていません")
    if kind not in dict(AddressRelease.KIND_CHOICES) or not (referral_id or case_id):
        raise ConsentError("開示する根拠（つなぎまたは支援チーム）を選んでください", field="grant")
    if not (reason or "").strip():
        raise ConsentError("開示の理由を入力してください", field="reason")
    release = AddressRelease.objects.create(
        municipality_id=actor.municipality_id, person=person, kind=kind, referral_id=referral_id, case_id=case_id,
        agency=agency, reason=reason.strip(), released_by=actor, released_at=timezone.now())
    log_action("address.released", actor=actor, obj=release, request=request, subject_person_id=person.pk,
               detail={"kind": kind, "agency": agency.pk, "referral": referral_id, "case": case_id})
    access.sync_person(person)
    return release


@transaction.atomic
def revoke_address_release(actor, release: AddressRelease, *, request=None) -> AddressRelease:
    person = release.person
    if not access.owns(actor, person.recorded_by_agency_id):
        raise ConsentError("開示を取り消せるのは、本人を記録した機関だけです")
    if release.revoked_at:
        raise ConsentError("この開示はすでに取り消されています")
    release.revoked_at, release.revoked_by = timezone.now(), actor
    release.save(update_fields=["revoked_at", "revoked_by"])
    log_action("address.release_revoked", actor=actor, obj=release, request=request, subject_person_id=person.pk)
    access.sync_person(person, reason="秘匿住所の開示の取消")
    return release


@access.register_source("person")
def _emergency_source(municipality_id, person_ids):
    now = timezone.now()
    for ea in EmergencyAccess.objects.filter(municipality_id=municipality_id, person_id__in=person_ids,
                                             expires_at__gt=now):
        yield access.Spec(kind="G10", person_id=ea.person_id, staff_id=ea.staff_id, role_scope="casework",
                          basis=f"緊急時の閲覧 #{ea.pk}: {ea.basis_label}"[:300], expires_at=ea.expires_at,
                          started_at=ea.started_at)
