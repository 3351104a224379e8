"""Access rule (d) of privacy.policy: 支援会議 (法106条の6).

A member of a 支援会議 — only after their statutory duty of confidentiality is recorded — sees the persons on
that meeting's agenda (name and the meeting materials only), while the item is open. A 重層的支援会議 item
shows its materials to members only while the consent on file holds (R2, R8).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tsunagu.privacy import policy


def _acknowledged_items(user):
    from .models import AgendaItem

    return AgendaItem.objects.filter(
        municipality_id=user.municipality_id, legal_basis=AgendaItem.BASIS_SUPPORT_MEETING, closed_at__isnull=True,
        meeting__members__staff=user, meeting__members__confidentiality_acknowledged_at__isnull=False,
    )


@policy.register_person_rule
def _support_meeting_person_rule(user) -> Q:
    return Exists(_acknowledged_items(user).filter(person=OuterRef("pk")))


def visible_meeting_q(user) -> Q:
    if not user.is_authenticated or not user.municipality_id:
        return policy.NOTHING
    q = Q(members__staff=user) | Q(convened_by=user)
    if user.agency_id:
        q |= Q(convened_by__agency_id=user.agency_id)
    return Q(municipality_id=user.municipality_id) & q


def is_organiser(user, meeting) -> bool:
    return meeting.convened_by_id == user.pk or (
        bool(user.agency_id) and meeting.convened_by.agency_id == user.agency_id)


def item_visible_to(user, item) -> bool:
    """May this user see the materials of this agenda item?"""
    from .models import AgendaItem

    if item.legal_basis == AgendaItem.BASIS_CONSENT:
        if item.consent_id and item.consent.withdrawn_at is not None:
            return False
        return is_organiser(user, item.meeting) or item.meeting.members.filter(staff=user).exists()
    if item.closed_at is not None and not is_organiser(user, item.meeting):
        return False
    if is_organiser(user, item.meeting):
        return True
    return item.meeting.members.filter(staff=user, confidentiality_acknowledged_at__isnull=False).exists()


def access_meeting_by_id(user, meeting_id: int, *, for_update: bool = False):
    from .models import Meeting

    try:
        meeting = (Meeting.objects.filter(visible_meeting_q(user)).distinct()
                   .select_related("meeting_type", "convened_by").get(pk=meeting_id))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("会議が見つからないか、閲覧する権限がありません") from None
    if for_update and not is_organiser(user, meeting):
        raise PermissionDenied("この操作は会議の招集者（多機関協働の担当）だけが行えます")
    return meeting
