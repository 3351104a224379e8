"""The access policy (R1, R6, R8, R10): who may see which person and consultation.

Deny by default. A staff member sees a record only through one of these rules:
  (a) their own agency recorded it (相談を受けた機関),
  (b) it was referred to their agency (つなぎ) and the basis of that referral still holds —
      a consent-based referral stops granting access the moment the consent is withdrawn (R8),
  (c) their agency is on a consented case team (多機関協働 — rule registered by the casework app),
  (d) they are a member, with a recorded duty of confidentiality, of a 支援会議 whose agenda holds the person
      (rule registered by the meetings app).
Administrators, managers and the prefecture get nothing here unless one of the rules grants it.

Every page, fragment, export, search and API route reads through `visible_to(user)` querysets or the
`access_*_by_id` helpers below; field-level rules (要配慮個人情報, masked addresses) go through `PersonAccess`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

# Extra rules (c) and (d) are registered by the apps that own the data. Each returns a Q over Consultation
# (for consultations) or over Person (for persons), granting access to records of the user's municipality.
CONSULTATION_RULES: list[Callable] = []
PERSON_RULES: list[Callable] = []
SENSITIVE_RULES: list[Callable] = []  # (user, person) -> bool: consented team members see 要配慮個人情報


def register_consultation_rule(fn: Callable) -> Callable:
    CONSULTATION_RULES.append(fn)
    return fn


def register_person_rule(fn: Callable) -> Callable:
    PERSON_RULES.append(fn)
    return fn


def register_sensitive_rule(fn: Callable) -> Callable:
    SENSITIVE_RULES.append(fn)
    return fn


NOTHING = Q(pk__in=[])


def active_referrals_to(user):
    """Referrals to the user's agency whose legal basis still holds."""
    from tsunagu.intake.models import Referral

    return Referral.objects.filter(
        municipality_id=user.municipality_id, to_agency_id=user.agency_id,
        status__in=[Referral.SENT, Referral.ACCEPTED],
    ).filter(Q(basis=Referral.BASIS_STATUTORY) | Q(basis=Referral.BASIS_CONSENT, consent__withdrawn_at__isnull=True))


def visible_consultation_q(user) -> Q:
    if not user.is_authenticated or not user.municipality_id:
        return NOTHING
    q = NOTHING
    if user.agency_id:
        q = Q(agency_id=user.agency_id) | Exists(active_referrals_to(user).filter(consultation=OuterRef("pk")))
    for rule in CONSULTATION_RULES:
        q |= rule(user)
    return Q(municipality_id=user.municipality_id) & q


def visible_person_q(user) -> Q:
    from tsunagu.intake.models import Consultation

    if not user.is_authenticated or not user.municipality_id:
        return NOTHING
    q = NOTHING
    if user.agency_id:
        q = (
            Q(recorded_by_agency_id=user.agency_id)
            | Exists(Consultation.objects.filter(person=OuterRef("pk"), agency_id=user.agency_id))
            | Exists(active_referrals_to(user).filter(person=OuterRef("pk")))
        )
    for rule in PERSON_RULES:
        q |= rule(user)
    return Q(municipality_id=user.municipality_id) & q


@dataclass(frozen=True)
class PersonAccess:
    """What of a visible person this user may see."""

    full: bool  # 基本情報（生年月日・住所・電話 …）; False = only what a statutory referral allows
    address: bool  # False when the address is masked (DV/虐待) and the user is not the recording agency
    sensitive: bool  # 要配慮個人情報 (R6)
    own_agency: bool

    @property
    def basis_note(self) -> str:
        if self.own_agency:
            return "あなたの機関が記録した情報です。"
        if self.full:
            return "本人同意に基づいて共有された情報です。"
        return "本人同意がないため、法令上の根拠に基づき必要最小限の情報だけが共有されています。"


def person_access(user, person) -> PersonAccess:
    return person_access_many(user, [person])[person.pk]


def person_access_many(user, persons) -> dict[int, PersonAccess]:
    """What `user` may see of each person, by pk, in two queries (consultations at the user's agency,
    consent-based referrals to it) however many persons. The SENSITIVE_RULES are per-person callables and
    are asked only for a person the user's agency does not hold."""
    from tsunagu.intake.models import Consultation, Referral

    persons = list(persons)
    if not persons:
        return {}
    ids = [p.pk for p in persons]
    consulted: set[int] = set()
    consent_referred: set[int] = set()
    if user.agency_id:
        consulted = set(Consultation.objects.filter(person_id__in=ids, agency_id=user.agency_id)
                        .values_list("person_id", flat=True).distinct())
        consent_referred = set(active_referrals_to(user).filter(person_id__in=ids, basis=Referral.BASIS_CONSENT)
                               .values_list("person_id", flat=True).distinct())
    out = {}
    for person in persons:
        own = bool(user.agency_id) and (person.recorded_by_agency_id == user.agency_id or person.pk in consulted)
        sensitive = own or any(rule(user, person) for rule in SENSITIVE_RULES)
        consented = own or sensitive or (bool(user.agency_id) and person.pk in consent_referred)
        address = not person.address_masked or person.recorded_by_agency_id == user.agency_id or sensitive
        out[person.pk] = PersonAccess(full=consented, address=consented and address, sensitive=sensitive,
                                      own_agency=own)
    return out


def can_see_consultation_sensitive(user, consultation) -> bool:
    """要配慮個人情報 in a consultation: the recording agency and the consented team only (R6)."""
    if user.agency_id and consultation.agency_id == user.agency_id:
        return True
    return any(rule(user, consultation.person) for rule in SENSITIVE_RULES)


# --- fetch-and-authorise helpers: 404 when invisible, 403 when visible but not allowed to act --------------

def access_person_by_id(user, person_id: int):
    from tsunagu.people.models import Person

    try:
        return Person.objects.visible_to(user).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("本人の記録が見つからないか、閲覧する権限がありません") from None


def access_consultation_by_id(user, consultation_id: int, *, for_update: bool = False):
    from tsunagu.intake.models import Consultation

    try:
        consultation = (
            Consultation.objects.visible_to(user).select_related("person", "agency", "received_by", "household")
            .get(pk=consultation_id)
        )
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise Http404("相談の記録が見つからないか、閲覧する権限がありません") from None
    if for_update and consultation.agency_id != user.agency_id:
        raise PermissionDenied("この相談を変更できるのは受付機関だけです")
    return consultation


def access_referral_by_id(user, referral_id: int):
    from tsunagu.intake.models import Referral

    try:
        referral = (
            Referral.objects.for_agency(user)
            .select_related("consultation", "person", "from_agency", "to_agency", "suggested_agency", "consent")
            .get(pk=referral_id)
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("つなぎが見つからないか、閲覧する権限がありません") from None
    # A returned or consent-withdrawn referral still shows its status to both sides, but the receiving agency
    # sees the person's data only while the policy grants it (checked where the data is shown).
    return referral


def access_consent_by_id(user, consent_id: int):
    from .models import Consent

    try:
        consent = Consent.objects.select_related("person").get(pk=consent_id, municipality_id=user.municipality_id)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404("同意の記録が見つかりません") from None
    # Any agency that holds the person's record may record a withdrawal: the person may tell any window (R8).
    person = access_person_by_id(user, consent.person_id)
    if not person_access(user, person).full:
        raise Http404("同意の記録が見つかりません")
    return consent
