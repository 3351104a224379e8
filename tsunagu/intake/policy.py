"""Grants from referrals (ACCESS.md G2, G3) and fetch-and-authorise for consultations and referrals.

G2: casework roles of the agency a consultation was referred to, while the referral is sent or accepted, a
    consent of the person is active, allows the purpose and names the agency: ID + BASIC + CONTENT of that
    consultation (its person record and household included) and the referral message; no SENSITIVE; a masked
    address only if the recording agency released it for this referral.
G3: the same referral on a statutory basis: ID and the referral message.
A referral that is returned, or whose consent is withdrawn or narrowed, grants nothing (invariant 2): the two
agencies keep seeing that the referral exists and its answer, not the person.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tsunagu.privacy import access
from tsunagu.privacy.models import STATUTORY_BASES, Grant
from tsunagu.privacy.services import active_consents, covering, released_addresses

from .models import Consultation, Referral

PURPOSE_OF = {"referral": "関係機関へのつなぎ", "multiagency": "多機関協働"}


@access.register_source("person")
def _referral_source(municipality_id, person_ids):
    referrals = list(Referral.objects.filter(municipality_id=municipality_id, person_id__in=person_ids,
                                             status__in=[Referral.SENT, Referral.ACCEPTED])
                     .select_related("consultation").only("id", "person_id", "to_agency_id", "basis", "purpose",
                                                          "statutory_basis", "sent_at", "consultation__id",
                                                          "consultation__household_id"))
    if not referrals:
        return
    consents = active_consents(municipality_id, {r.person_id for r in referrals})
    released = released_addresses(municipality_id, {r.person_id for r in referrals})
    for r in referrals:
        common = {"person_id": r.person_id, "agency_id": r.to_agency_id, "role_scope": "casework",
                  "consultation_id": r.consultation_id, "referral_id": r.pk}
        consent = covering(consents.get(r.person_id), purpose=PURPOSE_OF.get(r.purpose, "関係機関へのつなぎ"),
                           agency_id=r.to_agency_id)
        if consent is not None:
            yield access.Spec(kind="G2", household_id=r.consultation.household_id, consent_id=consent.pk,
                              address=("G2", r.pk, r.to_agency_id) in released,
                              basis=f"本人同意 #{consent.pk}（つなぎ #{r.pk}）", **common)
        if r.basis == Referral.BASIS_STATUTORY:
            label = STATUTORY_BASES.get(r.statutory_basis, r.statutory_basis)
            yield access.Spec(kind="G3", basis=f"{label}（つなぎ #{r.pk}）"[:300], **common)


def visible_consultation_q(user) -> Q:
    """Consultations of which the user sees at least the ID class."""
    if not getattr(user, "is_authenticated", False) or not user.municipality_id:
        return Q(pk__in=[])
    q = Exists(access.user_grants(user).filter(consultation_id=OuterRef("pk")))
    if user.is_casework:
        q |= Q(agency_id=user.agency_id)
    return Q(municipality_id=user.municipality_id) & q


def consultation_classes(sight: access.Sight, consultation) -> frozenset:
    return sight.classes("consultation", consultation.pk, owner_agency_id=consultation.agency_id)


def access_consultation_by_id(user, consultation_id, *, for_update: bool = False):
    """(consultation, sight); 404 unless the user sees the consultation; `for_update`: only its own agency."""
    try:
        consultation = (Consultation.objects.select_related("person", "agency", "received_by", "household")
                        .get(pk=consultation_id, municipality_id=getattr(user, "municipality_id", None) or -1))
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise Http404("相談の記録が見つからないか、閲覧する権限がありません") from None
    sight = access.sight(user, consultation.person)
    if access.ID not in consultation_classes(sight, consultation):
        raise Http404("相談の記録が見つからないか、閲覧する権限がありません")
    if for_update and not access.owns(user, consultation.agency_id):
        raise PermissionDenied("この相談を変更できるのは受付機関だけです")
    return consultation, sight


def referrals_of(user):
    """Referrals sent by or to the user's agency, for its casework roles: the two ends of a referral always
    see that it exists and its answer (not the person, once the grant has ended)."""
    if not getattr(user, "is_casework", False):
        return Referral.objects.none()
    return Referral.objects.filter(municipality_id=user.municipality_id).filter(
        Q(from_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id))


def access_referral_by_id(user, referral_id):
    """(referral, sight); 404 for anyone but the casework roles of its two agencies."""
    try:
        referral = (referrals_of(user)
                    .select_related("consultation", "person", "from_agency", "to_agency", "suggested_agency",
                                    "consent").get(pk=referral_id))
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("つなぎが見つからないか、閲覧する権限がありません") from None
    return referral, access.sight(user, referral.person)


def referral_message_visible(sight: access.Sight, referral) -> bool:
    """The message follows the same grant as the record it refers (invariant 2)."""
    return access.CONTENT in sight.classes("referral", referral.pk, owner_agency_id=referral.from_agency_id)


def grants_of_referral(referral):
    return Grant.objects.filter(referral_id=referral.pk)
