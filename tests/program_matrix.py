"""The outreach / participation part of the access matrix (tests/test_access_matrix.py imports this).

Two more personas work at 地域福祉課 beside the coordinator and the manager: アウトリーチ支援専門員 ("outreach")
and 参加支援コーディネーター ("participation"). Each consent state adds an outreach target (before consent) put on
the state's 支援会議 — in the "withdrawn" state its sharing has ended — a resource, and a needs sheet, placement
and follow-up for the state's person.
"""

from __future__ import annotations

from django.utils import timezone

from tsunagu.meetings import services as meetings
from tsunagu.outreach import services as outreach
from tsunagu.participation.models import CheckIn, NeedsSheet, Placement

from .program_fixtures import cafe, outreach_staff, participation_staff, water_meter_target

PROGRAM_STAFF = {"outreach", "participation"}
PROGRAM_KINDS = {"outreach", "resource", "participation"}
PROGRAM_ROUTES = {"outreach_target_list", "outreach_target_new", "participation_home"}
PROGRAM_NON_PERSONAL = {"outreach_agreements", "resource_list", "resource_new", "district_view", "place_detail",
                        "gap_list", "gap_status", "governance_home", "governance_meeting", "difficult_case_list",
                        "roster", "roster_export", "training_list"}
PROGRAM_POST_ONLY = {"outreach_target_contact", "outreach_target_stage", "outreach_target_agenda",
                     "host_support_add", "participation_needs", "participation_propose", "participation_gap",
                     "participation_advance", "participation_checkin"}
ALLOWED = {200, 302, 400}
OTHER_MUNICIPALITY = {"other_municipality", "prefecture"}


def program_personas(imizu, make_staff) -> dict:
    return {"outreach": outreach_staff(imizu, make_staff), "participation": participation_staff(imizu, make_staff)}


def build_program_state(world, state, shien, c) -> dict:
    imizu, ou, sanka = world["_imizu"], world["outreach"], world["participation"]
    target = water_meter_target(ou, name=f"対象 {state}")
    item = outreach.put_on_agenda(ou, target, shien)
    if state == "withdrawn":
        meetings.close_item_sharing(world["coordinator"], item)
    resource = cafe(sanka, imizu)
    today = timezone.localdate()
    NeedsSheet.objects.create(municipality=imizu, person=c.person, needs=["居場所"], updated_by=sanka)
    placement = Placement.objects.create(municipality=imizu, person=c.person, resource=resource,
                                         agency=sanka.agency, status=Placement.STARTED, proposed_on=today,
                                         started_on=today, created_by=sanka)
    checkin = CheckIn.objects.create(municipality=imizu, placement=placement, due_on=today)
    return {"url_values": {"target_id": target.pk, "resource_id": resource.pk, "placement_id": placement.pk,
                           "checkin_id": checkin.pk}}


def expected_program(kind, name, persona, state, sees_person):
    has_agency = persona not in ("sysadmin", "prefecture", "meeting_member")
    if name == "outreach_target_list":
        return {200}  # each sees only the targets visible to them (none for most)
    if name == "outreach_target_new":
        return {200} if persona == "outreach" else {403}
    if name == "participation_home":
        return {200} if has_agency else {403}
    if kind == "outreach":
        if persona == "outreach":
            return ALLOWED
        if persona == "meeting_member" and state != "withdrawn":  # on the agenda, duty acknowledged
            return {200} if name == "outreach_target_detail" else {403}
        return {404}
    if kind == "resource":
        if persona in OTHER_MUNICIPALITY:
            return {404}
        if name == "resource_detail":
            return {200}
        return ALLOWED if persona == "participation" else {403}
    if kind == "participation":
        if persona == "meeting_member":
            # Never the records; 403 or 404 depending on whether the matrix already ran meeting_item_close,
            # which ends the member's sight of the person.
            return {403, 404}
        if not sees_person(persona, state):
            return {404}
        return ALLOWED if persona == "participation" else {403}
    raise LookupError(f"種類 {kind!r} の期待値がアクセス表にありません")
