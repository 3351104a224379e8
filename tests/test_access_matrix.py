"""The access matrix (R10): every route that shows personal data × every persona × consent state.

Routes come from the URL configuration: a route is either marked with @personal_data(kind) or listed in
NON_PERSONAL below; a new unmarked route fails the test, so new routes are picked up automatically.
Each state builds a consultation at agency A referred to agency B, escalated to 多機関協働 and opened as a
case (with B on the team while consent allows), a draft plan, a follow-up, and a 支援会議 whose agenda holds
the person with a member (民生委員) who has recorded the duty of confidentiality.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.casework.models import FollowUp
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings
from tsunagu.privacy.services import withdraw_consent

from .casework_fixtures import meeting_type, plan
from .conftest import agency_named
from .intake_fixtures import record
from .program_matrix import (
    PROGRAM_KINDS,
    PROGRAM_NON_PERSONAL,
    PROGRAM_POST_ONLY,
    PROGRAM_ROUTES,
    PROGRAM_STAFF,
    build_program_state,
    expected_program,
    program_personas,
)

NON_PERSONAL = {"home", "healthz", "login", "logout", "agency_list", "agency_detail", "address_lookup",
                "organisation", "audit_log", "evaluation_dashboard", "evaluation_report", "evaluation_table_csv",
                "prefecture_stats_export", "prefecture_dashboard", "prefecture_activities",
                # accounts (issue 12): the staff member's own account and, for the system admin, staff accounts
                "two_factor", "recovery_codes", "password_change", "account", "logout_everywhere", "staff_list",
                "staff_action"}
PERSONAS = ["same_agency", "other_agency", "referred_agency", "coordinator", "manager", "sysadmin", "prefecture",
            "meeting_member", "other_municipality", "anonymous"]
STATES = ["consent", "no_consent", "withdrawn"]
POST_ONLY = {"consultation_refer", "consultation_escalate", "consultation_handle", "consultation_close",
             "referral_accept", "referral_return", "referral_resend", "consent_withdraw", "case_open",
             "case_team_add", "case_note_add", "case_monitor", "case_action_done", "case_follow_up_done",
             "meeting_member_add", "meeting_member_acknowledge", "meeting_item_add", "meeting_item_decide",
             "meeting_item_close", "meeting_minutes", "identity_candidate_decide", "identity_link_unmerge"}
COORDINATING = {"coordinator", "manager"}  # both work at 地域福祉課, the 多機関協働 agency
ALLOWED = {200, 302, 400}
# アウトリーチ・参加支援・地域づくり (tests/program_matrix.py)
NON_PERSONAL |= PROGRAM_NON_PERSONAL
POST_ONLY |= PROGRAM_POST_ONLY
PERSONAS += sorted(PROGRAM_STAFF)


def routes():
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p
    return list(walk(get_resolver().url_patterns))


def test_every_route_is_classified():
    unclassified = [p.name for p in routes()
                    if p.name not in NON_PERSONAL and not getattr(p.callback, "personal_data", None)]
    assert unclassified == [], f"個人情報を扱うか分類されていない URL: {unclassified}"


@pytest.fixture
def world(imizu, shiga, fussa, make_staff, intake_a, staff_b, coordinator, manager, sysadmin, fussa_staff,
          prefecture_user):
    same = make_staff(imizu, "intake_a2", "intake", intake_a.agency, "窓口 A2")
    other = make_staff(imizu, "other_c", "intake", agency_named(imizu, "大門地域包括"), "職員 C")
    member = make_staff(imizu, "member", "meeting_member", None, "民生委員")
    program = program_personas(imizu, make_staff)
    return {"same_agency": same, "other_agency": other, "referred_agency": staff_b, "coordinator": coordinator,
            "manager": manager, "sysadmin": sysadmin, "prefecture": prefecture_user, "meeting_member": member,
            "other_municipality": fussa_staff, "anonymous": None, "_author": intake_a, "_imizu": imizu, **program}


def build_state(world, state):
    author, b, coord = world["_author"], world["referred_agency"], world["coordinator"]
    name = {"consent": "同意 太郎", "no_consent": "無同意 次郎", "withdrawn": "撤回 三郎"}[state]
    c = record(author, name=name, consent_agencies=None if state == "no_consent" else [b.agency])
    r = intake.refer_consultation(author, c, to_agency=b.agency, statutory_basis="vital")
    case = casework.open_case(coord, referral=intake.escalate_to_multiagency(author, c, statutory_basis="vital"))
    if state != "no_consent":
        casework.add_team_member(coord, case, agency=b.agency, role="障害福祉サービス")
    draft = plan(coord, case, coord.agency, [coord.agency])
    follow_up = FollowUp.objects.create(municipality=case.municipality, case=case, agency=coord.agency,
                                        due_date=timezone.localdate())
    shien = meetings.schedule_meeting(coord, meeting_type=meeting_type(world["_imizu"], "支援会議"), title="支援会議",
                                      scheduled_at=timezone.now())
    member = meetings.add_member(coord, shien, staff=world["meeting_member"])
    meetings.acknowledge_confidentiality(world["meeting_member"], member)
    item = meetings.add_agenda_item(coord, shien, purpose="sharing", case=case, summary="状況の共有")
    program = build_program_state(world, state, shien, c)
    if state == "withdrawn":
        withdraw_consent(author, c.consents.get(), note="撤回")
    return {"c": c, "r": r, "consent": c.consents.first(), "case": case, "action": draft.actions.first(),
            "follow_up": follow_up, "meeting": shien, "member": member, "item": item,
            **program}


def url_for(pattern, o):
    values = {"consultation_id": o["c"].pk, "referral_id": o["r"].pk, "person_id": o["c"].person_id,
              "consent_id": o["consent"].pk if o["consent"] else 0, "case_id": o["case"].pk,
              "action_id": o["action"].pk, "follow_up_id": o["follow_up"].pk, "meeting_id": o["meeting"].pk,
              "member_id": o["member"].pk, "item_id": o["item"].pk, "fmt": "xlsx", "form": "notes",
              "candidate_id": 0, "link_id": 0}
    values.update(o.get("url_values", {}))
    missing = [k for k in pattern.pattern.converters if k not in values]
    if missing:
        raise LookupError(f"{pattern.name}: アクセス表に {missing} の値がありません")
    return reverse(pattern.name, kwargs={k: values[k] for k in pattern.pattern.converters})


def sees_person(persona, state):
    return (persona in ("same_agency", "meeting_member") or persona in COORDINATING | PROGRAM_STAFF
            or (persona == "referred_agency" and state != "withdrawn"))


def on_team(persona, state):
    return persona == "referred_agency" and state == "consent"


def expected(kind, name, persona, state):
    """Allowed status codes for (route, persona, state)."""
    if persona == "anonymous":
        return {302}
    if kind in PROGRAM_KINDS or name in PROGRAM_ROUTES:
        return expected_program(kind, name, persona, state, sees_person)
    if persona in PROGRAM_STAFF:  # 地域福祉課 like the manager, but may not convene meetings
        return {403} if name == "meeting_new" else expected(kind, name, "manager", state)
    has_agency = persona not in ("sysadmin", "prefecture", "meeting_member")
    if name in ("meeting_list", "today"):
        return {200}
    if name == "meeting_new":
        return {200} if persona in COORDINATING else {403}
    if kind in ("list", "search", "form"):
        return {200} if has_agency else {403}
    if kind == "referral":
        if persona not in ("same_agency", "referred_agency"):
            return {404}
        if name == "case_open":
            return {403}
        if name in ("referral_accept", "referral_return"):
            return {403} if persona == "same_agency" else ALLOWED
        if name == "referral_resend":
            return {403} if persona == "referred_agency" else ALLOWED
        return {200}
    if kind == "consent":
        # Only agencies holding the full record see (and may record the withdrawal of) a consent.
        full = persona == "same_agency" or (state == "consent" and persona in COORDINATING | {"referred_agency"})
        return {302} if full and state != "no_consent" else {404}
    if kind == "case":
        if persona in COORDINATING:
            return ALLOWED
        if not on_team(persona, state):
            return {404}
        if name in ("case_team_add", "case_monitor", "case_assessment", "case_plan_new", "case_evaluation_new"):
            return {200} if name == "case_assessment" else {403}
        if name in ("case_action_done", "case_follow_up_done"):
            return {302, 403}
        return ALLOWED
    if kind == "meeting":
        if persona in COORDINATING:
            return ALLOWED
        if persona != "meeting_member":
            return {404}
        if name in ("meeting_detail",):
            return {200}
        if name == "meeting_member_acknowledge":
            return {302}
        return {403}
    if kind == "identity_review":  # 名寄せ: the data steward (coordinator role) only; ids 0 do not exist
        if persona != "coordinator":
            return {403}
        return {200} if name == "identity_review" else {404}
    if kind not in ("person", "consultation"):
        raise LookupError(f"種類 {kind!r} の期待値がアクセス表にありません")
    if kind == "consultation":
        if persona in COORDINATING:
            return {403} if name in POST_ONLY else {200}
        if persona == "meeting_member":
            return {404}
    if not sees_person(persona, state):
        return {404}
    if persona == "referred_agency" and kind == "consultation" and name in POST_ONLY:
        return {403}
    return ALLOWED


@pytest.mark.django_db
def test_access_matrix(client, world, capsys):
    checked = 0
    failures = []
    personal = [p for p in routes() if getattr(p.callback, "personal_data", None)]
    for state in STATES:
        objects = build_state(world, state)
        name = objects["c"].person.name
        for pattern in personal:
            kind = pattern.callback.personal_data
            try:
                url = url_for(pattern, objects)
                expected(kind, pattern.name, "coordinator", state)
            except LookupError as exc:
                failures.append(str(exc))
                continue
            for persona in PERSONAS:
                user = world[persona]
                client.logout()
                if user is not None:
                    client.force_login(user)
                response = client.post(url, {}) if pattern.name in POST_ONLY else client.get(url)
                allowed = expected(kind, pattern.name, persona, state)
                body = response.content.decode(errors="replace") if not response.streaming else ""
                leak = response.status_code == 200 and name in body and not sees_person(persona, state)
                if response.status_code not in allowed or leak:
                    failures.append(f"{state} {pattern.name} {persona}: {response.status_code} (期待 {allowed})"
                                    + (" 氏名が表示された" if leak else ""))
                checked += 1
    with capsys.disabled():
        print(f"\naccess matrix: {checked} combinations checked "
              f"({len(personal)} routes × {len(PERSONAS)} personas × {len(STATES)} consent states)")
        for failure in failures:
            print("  NG", failure)
    assert failures == []


NON_PERSONAL_KWARGS = {"fmt": "xlsx", "name": "kpis"}


@pytest.mark.django_db
def test_non_personal_routes_as_outsiders(client, imizu, fussa_staff, intake_a):
    """Routes without personal data still belong to one municipality: anonymous users are sent to the login page,
    and staff of another municipality get nothing of 射水市 (404 for its objects, 403 for manager pages)."""
    public = {"login", "logout", "healthz"}
    checked = 0
    for pattern in routes():
        if pattern.name not in NON_PERSONAL or pattern.name in public:
            continue
        kwargs = {k: NON_PERSONAL_KWARGS.get(k, intake_a.agency_id) for k in pattern.pattern.converters}
        url = reverse(pattern.name, kwargs=kwargs)
        client.force_login(fussa_staff)
        send = client.post if client.get(url).status_code == 405 else client.get  # POST-only routes
        response = send(url)
        client.logout()
        assert send(url).status_code == 302, pattern.name
        body = response.content.decode(errors="replace") if not response.streaming else ""
        assert response.status_code in {200, 403, 404}, (pattern.name, response.status_code)
        assert "新湊西地域包括支援センター" not in body, pattern.name
        if pattern.name.startswith(("evaluation", "prefecture", "audit")):
            assert response.status_code == 403, pattern.name
        checked += 1
    assert checked >= 10
