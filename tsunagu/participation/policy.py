"""Who sees participation records (ACCESS.md G9): the participation role (参加支援コーディネーター) of an agency,
for persons referred to participation with consent — a support plan of an open case flags 参加支援へつなぐ and an
active consent allows 参加支援 and names the agency. It opens the person's ID and BASIC and their participation
records (needs sheet, placements, follow-ups); nothing of the case or the consultations."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsunagu.casework.models import Case, SupportPlan
from tsunagu.directory.models import Role
from tsunagu.directory.names import role_title
from tsunagu.people.models import Person
from tsunagu.privacy import access
from tsunagu.privacy.services import active_consents, covering

PLAN_STATUSES = (SupportPlan.DRAFT, SupportPlan.ON_AGENDA, SupportPlan.APPROVED)


def is_participation_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.agency_id and user.role_kind == "participation")


def participation_agencies(municipality_id) -> set[int]:
    return set(Role.objects.filter(municipality_id=municipality_id, kind="participation", active=True)
               .values_list("agencies", flat=True)) - {None}


@access.register_source("person")
def _participation_source(municipality_id, person_ids):
    referred = {}
    for plan in (SupportPlan.objects.filter(municipality_id=municipality_id, case__person_id__in=person_ids,
                                            case__status__in=Case.OPEN_STATUSES, status__in=PLAN_STATUSES,
                                            refer_participation=True).select_related("case")):
        referred.setdefault(plan.case.person_id, plan)
    if not referred:
        return
    agencies = participation_agencies(municipality_id)
    consents = active_consents(municipality_id, referred)
    for person_id, plan in referred.items():
        for agency_id in agencies:
            consent = covering(consents.get(person_id), purpose="参加支援", agency_id=agency_id)
            if consent is not None:
                yield access.Spec(kind="G9", person_id=person_id, agency_id=agency_id, role_scope="participation",
                                  consent_id=consent.pk,
                                  basis=f"本人同意 #{consent.pk}（支援プラン #{plan.pk} 参加支援へつなぐ）")


def participation_person_q(user):
    """Persons whose participation records this user sees."""
    from django.db.models import Exists, OuterRef

    return Exists(access.user_grants(user).filter(kind="G9", person_id=OuterRef("pk")))


def access_participant_by_id(user, person_id):
    """(person, sight): 404 unless G9 opens the person's participation records."""
    if not is_participation_staff(user):
        raise PermissionDenied(f"参加支援の記録は{role_title(user.municipality, 'participation')}だけが扱えます")
    try:
        person = Person.objects.get(pk=person_id, municipality_id=user.municipality_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("参加支援の記録が見つからないか、閲覧する権限がありません") from None
    sight = access.sight(user, person)
    if access.CONTENT not in sight.classes("participation", person.pk):
        raise Http404("参加支援の記録が見つからないか、閲覧する権限がありません")
    return person, sight


def access_placement_by_id(user, placement_id):
    from .models import Placement

    try:
        placement = (Placement.objects.select_related("person", "resource")
                     .get(pk=placement_id, municipality_id=user.municipality_id))
    except (Placement.DoesNotExist, ValueError, TypeError):
        raise Http404("参加支援の記録が見つからないか、閲覧する権限がありません") from None
    access_participant_by_id(user, placement.person_id)
    return placement


def access_resource_by_id(user, resource_id: int):
    from .models import Resource

    try:
        return Resource.objects.select_related("district", "place").get(
            pk=resource_id, municipality_id=user.municipality_id)
    except (Resource.DoesNotExist, ValueError, TypeError):
        raise Http404("社会資源が見つかりません") from None
