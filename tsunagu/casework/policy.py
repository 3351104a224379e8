"""Grants of 多機関協働 (ACCESS.md G4, G5) and fetch-and-authorise for cases.

G4: casework roles of an agency on a consented case team, while the membership is active and an active
    consent allows 多機関協働 and names the agency: ID + BASIC + SENSITIVE + CONTENT of the case and of the
    consultation it came from; a masked address only if the recording agency released it for the team.
G5: the coordinator role of the coordinating agency: the case record it keeps, always (computed from
    Case.coordinating_agency). Other agencies' records reach the coordinator only through G2–G4.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tsunagu.privacy import access
from tsunagu.privacy.services import active_consents, covering, released_addresses

from .models import Case, TeamMember

COORDINATOR = frozenset({"coordinator"})


@access.register_source("person")
def _team_source(municipality_id, person_ids):
    members = list(TeamMember.objects.filter(municipality_id=municipality_id, active=True,
                                             case__person_id__in=person_ids)
                   .select_related("case").only("id", "agency_id", "case__id", "case__person_id",
                                                "case__consultation_id", "case__household_id"))
    if not members:
        return
    persons = {m.case.person_id for m in members}
    consents = active_consents(municipality_id, persons)
    released = released_addresses(municipality_id, persons)
    for m in members:
        consent = covering(consents.get(m.case.person_id), purpose="多機関協働", agency_id=m.agency_id)
        if consent is None:
            continue
        yield access.Spec(kind="G4", person_id=m.case.person_id, agency_id=m.agency_id, role_scope="casework",
                          case_id=m.case_id, consultation_id=m.case.consultation_id,
                          household_id=m.case.household_id, consent_id=consent.pk,
                          address=("G4", m.case_id, m.agency_id) in released,
                          basis=f"本人同意 #{consent.pk}（支援チーム・事例 #{m.case_id}）")


def _is_coordinator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.agency_id and user.role_kind == "coordinator")


def _own_cases(user, person_ids):
    if not _is_coordinator(user):
        return []
    return [access.Computed(kind="G5", person_id=pid, case_id=cid, basis=f"多機関協働の事例 #{cid}（自機関の記録）")
            for cid, pid in Case.objects.filter(municipality_id=user.municipality_id,
                                                coordinating_agency_id=user.agency_id,
                                                person_id__in=person_ids).values_list("id", "person_id")]


def _own_cases_q(user) -> Q:
    if not _is_coordinator(user):
        return Q(pk__in=[])
    return Exists(Case.objects.filter(person_id=OuterRef("pk"), coordinating_agency_id=user.agency_id))


access.register_computed(_own_cases, _own_cases_q)


def visible_case_q(user) -> Q:
    if not getattr(user, "is_authenticated", False) or not user.municipality_id:
        return Q(pk__in=[])
    q = Exists(access.user_grants(user).filter(kind="G4", case_id=OuterRef("pk")))
    if _is_coordinator(user):
        q |= Q(coordinating_agency_id=user.agency_id)
    return Q(municipality_id=user.municipality_id) & q


def case_classes(sight: access.Sight, case) -> frozenset:
    return sight.classes("case", case.pk)


def access_case_by_id(user, case_id, *, for_update: bool = False):
    """(case, sight); 404 unless G4 or G5 opens the case; `for_update`: only its coordinator (G5)."""
    try:
        case = (Case.objects.select_related("person", "household", "coordinator", "coordinating_agency",
                                            "lead_agency", "consultation")
                .get(pk=case_id, municipality_id=getattr(user, "municipality_id", None) or -1))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("事例が見つからないか、閲覧する権限がありません") from None
    sight = access.sight(user, case.person)
    if access.CONTENT not in case_classes(sight, case):
        raise Http404("事例が見つからないか、閲覧する権限がありません")
    if for_update and not is_coordinator_of(user, case):
        raise PermissionDenied("この操作は多機関協働の担当コーディネーターだけが行えます")
    return case, sight


def is_coordinator_of(user, case) -> bool:
    return _is_coordinator(user) and case.coordinating_agency_id == user.agency_id


def is_team_member(user, case) -> bool:
    """May write progress notes: the coordinator, or a casework role of an agency with an active G4."""
    if is_coordinator_of(user, case):
        return True
    return bool(getattr(user, "is_casework", False)) and access.user_grants(user).filter(
        kind="G4", case_id=case.pk).exists()
