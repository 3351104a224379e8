"""Access rule (c) of privacy.policy: the consented case team (多機関協働).

An agency on a case team sees the case's person, the consultation the case came from and their 要配慮個人情報
while the consent the membership rests on is active (R1, R6, R8). The coordinating agency always sees its own
case record.
"""

from django.db.models import Exists, OuterRef, Q

from tsunagu.privacy import policy


def _team_of(user):
    from .models import TeamMember

    return TeamMember.objects.filter(municipality_id=user.municipality_id, agency_id=user.agency_id, active=True,
                                     consent__withdrawn_at__isnull=True)


def visible_case_q(user) -> Q:
    if not user.agency_id:
        return policy.NOTHING
    return Q(municipality_id=user.municipality_id) & (
        Q(coordinating_agency_id=user.agency_id) | Exists(_team_of(user).filter(case=OuterRef("pk")))
    )


@policy.register_person_rule
def _team_person_rule(user) -> Q:
    from .models import Case

    if not user.agency_id:
        return policy.NOTHING
    return Exists(_team_of(user).filter(case__person=OuterRef("pk"))) | Exists(
        Case.objects.filter(person=OuterRef("pk"), coordinating_agency_id=user.agency_id))


@policy.register_consultation_rule
def _team_consultation_rule(user) -> Q:
    if not user.agency_id:
        return policy.NOTHING
    return Exists(_team_of(user).filter(case__consultation=OuterRef("pk")))


@policy.register_sensitive_rule
def _team_sensitive_rule(user, person) -> bool:
    from .models import Case

    if not user.agency_id:
        return False
    if _team_of(user).filter(case__person=person).exists():
        return True
    return (Case.objects.filter(person=person, coordinating_agency_id=user.agency_id).exists()
            and person.consents.filter(withdrawn_at__isnull=True).exists())


def access_case_by_id(user, case_id: int, *, for_update: bool = False):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from .models import Case

    try:
        case = (Case.objects.visible_to(user)
                .select_related("person", "household", "coordinator", "coordinating_agency", "lead_agency")
                .get(pk=case_id))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("事例が見つからないか、閲覧する権限がありません") from None
    if for_update and case.coordinating_agency_id != user.agency_id:
        raise PermissionDenied("この操作は多機関協働の担当機関だけが行えます")
    return case


def is_team_member(user, case) -> bool:
    return case.coordinating_agency_id == user.agency_id or _team_of(user).filter(case=case).exists()
