"""Who sees an outreach target (潜在的支援対象者) before consent (ACCESS.md G8, G6).

A target is not a Person: only grants on the target reach it.
G8: the outreach role — the staff member who registered the target and the one assigned to it — sees the
    target record in full until it is handed over (consent obtained); after that, only through other grants.
G6: a member of a 支援会議 who recorded the duty of confidentiality sees the target's ID and the item's
    materials while the item is open (meetings.policy).
Being at the same desk is not a basis: other staff of the outreach team's agency see nothing.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsunagu.directory.names import role_title
from tsunagu.privacy import access

from .models import OutreachTarget

HANDED_OVER = (OutreachTarget.CONSENTED, OutreachTarget.CONNECTED)


def is_outreach_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.municipality_id and user.role_kind == "outreach")


@access.register_source("target")
def _outreach_source(municipality_id, target_ids):
    for t in OutreachTarget.objects.filter(municipality_id=municipality_id, pk__in=target_ids).exclude(
            stage__in=HANDED_OVER):
        basis = f"情報提供協定 #{t.agreement_id}" if t.agreement_id else t.get_legal_basis_display()
        for staff_id, how in ((t.registered_by_id, "把握"), (t.assigned_to_id, "担当")):
            if staff_id:
                yield access.Spec(kind="G8", target_id=t.pk, staff_id=staff_id, role_scope="outreach",
                                  basis=f"アウトリーチ（{how}）: {basis}"[:300])


access.register_subjects("target", lambda municipality_id: OutreachTarget.objects.filter(
    municipality_id=municipality_id).values_list("pk", flat=True))


def target_classes(sight, target) -> frozenset:
    return sight.classes("target", target.pk)


def access_target_by_id(user, target_id, *, for_update: bool = False):
    """(target, classes); 404 unless a grant opens the target; `for_update`: only its outreach staff (G8)."""
    try:
        target = (OutreachTarget.objects.select_related("district", "agreement", "assigned_to")
                  .get(pk=target_id, municipality_id=getattr(user, "municipality_id", None) or -1))
    except (OutreachTarget.DoesNotExist, ValueError, TypeError):
        raise Http404("アウトリーチ対象者が見つからないか、閲覧する権限がありません") from None
    sight = access.target_sight(user, target)
    classes = target_classes(sight, target)
    if access.ID not in classes:
        raise Http404("アウトリーチ対象者が見つからないか、閲覧する権限がありません")
    if for_update and classes != access.ALL:
        raise PermissionDenied(f"この操作は担当の{role_title(user.municipality, 'outreach')}だけが行えます")
    return target, sight, classes
