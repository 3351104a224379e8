"""Who sees participation records: staff of role kind "participation" (named by the profile) who can see the person
through the general policy (privacy.policy). Others who see the person get 403; everyone else 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsunagu.directory.names import role_title
from tsunagu.privacy.policy import access_person_by_id


def is_participation_staff(user) -> bool:
    return bool(user.is_authenticated and user.agency_id and user.has_role_kind("participation"))


def access_participant_by_id(user, person_id: int):
    person = access_person_by_id(user, person_id)
    if not is_participation_staff(user):
        raise PermissionDenied(f"参加支援の記録は{role_title(user.municipality, 'participation')}だけが扱えます")
    return person


def access_placement_by_id(user, placement_id: int):
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
