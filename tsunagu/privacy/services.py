"""Consent and disclosure: recording them, withdrawing consent (R1, R8)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError

from .audit import log_action
from .models import STATUTORY_BASES, Consent, Disclosure


class ConsentError(DomainError):
    pass


@transaction.atomic
def record_consent(actor, *, person, consultation=None, scope_all_agencies: bool = False, scope_agencies=(),
                   purposes=(), method: str, obtained_on: dt.date, note: str = "", request=None) -> Consent:
    if not actor.agency_id:
        raise ConsentError("同意を記録するには所属機関が必要です")
    from tsunagu.people.models import Person

    # Whoever may see the person may record the consent they obtained from them (the coordinator of a case that
    # began without consent, a window with a statutory referral …); it only ever narrows what is shared.
    if person.municipality_id != actor.municipality_id or not Person.objects.visible_to(actor).filter(
            pk=person.pk).exists():
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
    unknown = [p for p in purposes if p not in Consent.PURPOSES]
    if unknown:
        raise ConsentError(f"目的「{unknown[0]}」は選べません", field="consent_purposes")
    consent = Consent.objects.create(
        municipality_id=actor.municipality_id, person=person, consultation=consultation,
        recording_agency_id=actor.agency_id, recorded_by=actor, scope_all_agencies=scope_all_agencies,
        purposes=list(purposes), method=method, obtained_on=obtained_on, note=note,
    )
    consent.scope_agencies.set(scope_agencies)
    log_action("consent.recorded", actor=actor, obj=consent, request=request,
               detail={"person": person.pk, "all": scope_all_agencies, "agencies": [a.pk for a in scope_agencies],
                       "purposes": list(purposes), "method": method})
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
    affected = list(consent.referrals.values_list("to_agency__name", flat=True).distinct())
    log_action("consent.withdrawn", actor=actor, obj=consent, request=request,
               detail={"person": consent.person_id, "agencies_losing_access": affected})
    return consent


def active_consent_for(person, agency):
    """The newest active consent of `person` that covers sharing with `agency`, or None."""
    for consent in person.consents.filter(withdrawn_at__isnull=True).prefetch_related("scope_agencies"):
        if consent.scope_all_agencies or any(a.pk == agency.pk for a in consent.scope_agencies.all()):
            return consent
    return None


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
