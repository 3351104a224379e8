"""Who sees an outreach target (潜在的支援対象者) before consent.

Deny by default, narrower than the person policy: a target is not a Person, so agency-based rules never reach
it. It is visible only to
  (a) outreach staff (a role of kind "outreach") of the municipality, and
  (b) members of a 支援会議 (法106条の6) who recorded their duty of confidentiality, while the target is on an
      open agenda item of that meeting.
Other staff of the outreach team's own agency (coordinator, manager …) do not see targets: being at the same
desk is not a legal basis. Once consent is obtained the target becomes a Person and the usual policy applies.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tsunagu.directory.names import role_title
from tsunagu.privacy import policy


def is_outreach_staff(user) -> bool:
    return bool(user.is_authenticated and user.municipality_id and user.has_role_kind("outreach"))


def _open_items_of(user):
    from .models import TargetAgendaItem

    return TargetAgendaItem.objects.filter(
        municipality_id=user.municipality_id, item__legal_basis="support_meeting", item__closed_at__isnull=True,
        item__meeting__members__staff=user, item__meeting__members__confidentiality_acknowledged_at__isnull=False,
    )


def visible_target_q(user) -> Q:
    if not user.is_authenticated or not user.municipality_id:
        return policy.NOTHING
    q = Exists(_open_items_of(user).filter(target=OuterRef("pk")))
    if is_outreach_staff(user):
        q = Q(pk__isnull=False)
    return Q(municipality_id=user.municipality_id) & q


def access_target_by_id(user, target_id: int, *, for_update: bool = False):
    from .models import OutreachTarget

    try:
        target = (OutreachTarget.objects.visible_to(user)
                  .select_related("district", "agreement", "assigned_to", "person", "consultation").get(pk=target_id))
    except (OutreachTarget.DoesNotExist, ValueError, TypeError):
        raise Http404("アウトリーチ対象者が見つからないか、閲覧する権限がありません") from None
    if for_update and not is_outreach_staff(user):
        raise PermissionDenied(f"この操作は{role_title(user.municipality, 'outreach')}だけが行えます")
    return target
