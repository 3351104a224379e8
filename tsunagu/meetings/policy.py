"""Grants of meetings (ACCESS.md G6, G7) and fetch-and-authorise for meetings and agenda items.

G6: a member of a meeting whose items rest on a statute (支援会議, 法106条の6; sector meetings — 地域ケア会議,
    要保護児童対策地域協議会 … — under their own law, AgendaItem.statute) — only once their duty of confidentiality is
    recorded — per agenda item while the item is open: ID of the person (or outreach target) + that item's
    materials and minutes.
G7: a member of a 重層的支援会議, per agenda item, only while an active consent of the person allows the meeting
    and names the member's agency (or the member by name): ID + that item's materials and minutes.
The organiser (the coordinator role of the convening agency) keeps the agenda it wrote (computed, like G5).
Everyone else sees that an item exists, never whom it is about.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from tsunagu.privacy import access
from tsunagu.privacy.models import Consent
from tsunagu.privacy.services import active_consents, covering

from .models import AgendaItem, Meeting, MeetingMember


def _members_by_meeting(meeting_ids):
    out: dict[int, list[MeetingMember]] = {}
    for m in MeetingMember.objects.filter(meeting_id__in=meeting_ids, staff__isnull=False).select_related("staff"):
        out.setdefault(m.meeting_id, []).append(m)
    return out


def _item_specs(items, consents, subject_column: str):
    members = _members_by_meeting({i.meeting_id for i in items})
    for item, subject_id in items_with_subject(items, subject_column):
        for member in members.get(item.meeting_id, []):
            base = {subject_column: subject_id, "staff_id": member.staff_id, "item_id": item.pk}
            if item.legal_basis == AgendaItem.BASIS_CONSENT:
                consent = covering(consents.get(subject_id), purpose=Consent.MEETING_PURPOSE,
                                   agency_id=member.agency_id or member.staff.agency_id, staff_id=member.staff_id)
                if consent is not None:
                    yield access.Spec(kind="G7", consent_id=consent.pk,
                                      basis=f"本人同意 #{consent.pk}（会議 #{item.meeting_id} 議題 #{item.pk}）", **base)
            elif item.rests_on_statute and item.closed_at is None and member.confidentiality_acknowledged_at:
                # 法106条の6, or a sector meeting's own statute (地域ケア会議 …): the basis names the law.
                yield access.Spec(kind="G6", basis=f"{item.basis_label}（会議 #{item.meeting_id} "
                                                   f"議題 #{item.pk}・守秘義務の確認済み）"[:300], **base)


def items_with_subject(items, subject_column):
    for item in items:
        subject = item.person_id if subject_column == "person_id" else item.target_id
        if subject:
            yield item, subject


@access.register_source("person")
def _item_person_source(municipality_id, person_ids):
    items = list(AgendaItem.objects.filter(municipality_id=municipality_id, person_id__in=person_ids))
    if items:
        yield from _item_specs(items, active_consents(municipality_id, {i.person_id for i in items}), "person_id")


@access.register_source("target")
def _item_target_source(municipality_id, target_ids):
    from tsunagu.outreach.models import TargetAgendaItem

    items = []
    for link in TargetAgendaItem.objects.filter(municipality_id=municipality_id, target_id__in=target_ids
                                                ).select_related("item"):
        link.item.target_id = link.target_id
        items.append(link.item)
    yield from _item_specs(items, {}, "target_id")


def sync_meeting(meeting, *, reason: str = "") -> None:
    """After a change of members or duties: every person and target on the meeting's agenda."""
    from tsunagu.outreach.models import TargetAgendaItem

    items = AgendaItem.objects.filter(meeting=meeting)
    access.sync_persons(meeting.municipality_id, items.exclude(person__isnull=True).values_list("person_id", flat=True),
                        reason=reason)
    access.sync_targets(meeting.municipality_id, TargetAgendaItem.objects.filter(item__meeting=meeting)
                        .values_list("target_id", flat=True), reason=reason)


def sync_item(item, *, reason: str = "") -> None:
    from tsunagu.outreach.models import TargetAgendaItem

    if item.person_id:
        access.sync_persons(item.municipality_id, [item.person_id], reason=reason)
    access.sync_targets(item.municipality_id, TargetAgendaItem.objects.filter(item=item)
                        .values_list("target_id", flat=True), reason=reason)


# ------------------------------------------------------------------------------------------------ organiser

def _organised_q(user) -> Q:
    """Meetings the user convenes: their own, or their agency's when they are its coordinator."""
    q = Q(convened_by=user)
    if user.agency_id and user.role_kind == "coordinator":
        q |= Q(convened_by__agency_id=user.agency_id)
    return q


def _organised_items(user, person_ids):
    if not getattr(user, "is_authenticated", False) or not user.municipality_id:
        return []
    meetings = Meeting.objects.filter(_organised_q(user), municipality_id=user.municipality_id)
    return [access.Computed(kind="G5", person_id=pid, item_id=iid, basis=f"会議 #{mid} の議題（招集者）")
            for iid, pid, mid in AgendaItem.objects.filter(meeting__in=meetings, person_id__in=person_ids)
            .values_list("id", "person_id", "meeting_id")]


def _organised_items_q(user) -> Q:
    if not getattr(user, "is_authenticated", False) or not user.municipality_id:
        return Q(pk__in=[])
    return Exists(AgendaItem.objects.filter(person_id=OuterRef("pk"), meeting__in=Meeting.objects.filter(
        _organised_q(user), municipality_id=user.municipality_id)))


access.register_computed(_organised_items, _organised_items_q)


def is_organiser(user, meeting) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return meeting.convened_by_id == user.pk or (
        bool(user.agency_id) and user.role_kind == "coordinator" and meeting.convened_by.agency_id == user.agency_id)


def visible_meeting_q(user) -> Q:
    """Meetings the user convenes or is a member of (the meeting itself names no resident)."""
    if not getattr(user, "is_authenticated", False) or not user.municipality_id:
        return Q(pk__in=[])
    return Q(municipality_id=user.municipality_id) & (
        _organised_q(user) | Exists(MeetingMember.objects.filter(meeting=OuterRef("pk"), staff=user)))


def access_meeting_by_id(user, meeting_id, *, for_update: bool = False):
    try:
        meeting = (Meeting.objects.filter(visible_meeting_q(user))
                   .select_related("meeting_type", "convened_by").get(pk=meeting_id))
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404("会議が見つからないか、閲覧する権限がありません") from None
    if for_update and not is_organiser(user, meeting):
        raise PermissionDenied("この操作は会議の招集者（多機関協働の担当）だけが行えます")
    return meeting


def item_classes(user, item, sights) -> frozenset:
    """Classes of an agenda item: the organiser's own record; a member's G6/G7; nothing else."""
    subject = item.person_id or getattr(item, "target_id", None)
    if not subject:
        return access.ALL  # 社会資源の検討 without a person: no personal data
    sight = sights.get(("target" if not item.person_id else "person", subject))
    return sight.classes("item", item.pk) if sight else access.NONE


def meeting_minutes_visible(user, meeting, me) -> bool:
    """The meeting's general minutes: the organiser; for a meeting with a duty of confidentiality only members
    who recorded it (finding 3); otherwise every member."""
    if is_organiser(user, meeting):
        return True
    if me is None:
        return False
    if meeting.meeting_type.confidentiality_duty:
        return me.confidentiality_acknowledged_at is not None
    return True
