"""The access matrix (R10): every route that shows personal data × every persona × consent state.

Routes come from the URL configuration: a route is either marked with @personal_data(kind) or listed in
NON_PERSONAL below; a new unmarked route fails the test, so new routes are picked up automatically.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tsunagu.intake import services
from tsunagu.privacy.services import withdraw_consent

from .conftest import agency_named
from .intake_fixtures import record

NON_PERSONAL = {"home", "healthz", "login", "logout", "agency_list", "agency_detail", "address_lookup",
                "organisation", "audit_log"}
PERSONAS = ["same_agency", "other_agency", "referred_agency", "coordinator", "manager", "sysadmin", "prefecture",
            "meeting_member", "other_municipality", "anonymous"]
STATES = ["consent", "no_consent", "withdrawn"]


def routes():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
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
    return {"same_agency": same, "other_agency": other, "referred_agency": staff_b, "coordinator": coordinator,
            "manager": manager, "sysadmin": sysadmin, "prefecture": prefecture_user, "meeting_member": member,
            "other_municipality": fussa_staff, "anonymous": None, "_author": intake_a}


def build_state(world, state):
    author, b = world["_author"], world["referred_agency"]
    name = {"consent": "同意 太郎", "no_consent": "無同意 次郎", "withdrawn": "撤回 三郎"}[state]
    if state == "no_consent":
        c = record(author, name=name)
        r = services.refer_consultation(author, c, to_agency=b.agency, statutory_basis="vital")
    else:
        c = record(author, name=name, consent_agencies=[b.agency])
        r = services.refer_consultation(author, c, to_agency=b.agency)
        if state == "withdrawn":
            withdraw_consent(author, r.consent, note="撤回")
    consent = c.consents.first()
    return c, r, consent


def url_for(pattern, c, r, consent):
    kwargs = {}
    for key in pattern.pattern.converters:
        kwargs[key] = {"consultation_id": c.pk, "referral_id": r.pk, "person_id": c.person_id,
                       "consent_id": consent.pk if consent else 0}[key]
    return reverse(pattern.name, kwargs=kwargs)


def sees_person(persona, state):
    return persona == "same_agency" or (persona == "referred_agency" and state != "withdrawn")


def expected(kind, name, persona, state, method):
    """Allowed status codes for (route, persona, state)."""
    if persona == "anonymous":
        return {302}
    has_agency = persona not in ("sysadmin", "prefecture", "meeting_member")
    if kind in ("list", "search", "form"):
        return {200} if has_agency else {403}
    if kind == "referral":
        party = persona in ("same_agency", "referred_agency")
        if not party:
            return {404}
        if name in ("referral_accept", "referral_return"):
            return {403} if persona == "same_agency" else {200, 302, 400}
        if name == "referral_resend":
            return {403} if persona == "referred_agency" else {200, 302, 400}
        return {200}
    if kind == "consent":
        if state == "no_consent":
            return {404}
        return {302} if sees_person(persona, state) else {404}
    # person / consultation
    if not sees_person(persona, state):
        return {404}
    if method == "POST" and persona == "referred_agency" and kind == "consultation":
        return {403}
    return {200, 302, 400}


@pytest.mark.django_db
def test_access_matrix(client, world, capsys):
    checked = 0
    failures = []
    personal = [p for p in routes() if getattr(p.callback, "personal_data", None)]
    for state in STATES:
        c, r, consent = build_state(world, state)
        for pattern in personal:
            kind = pattern.callback.personal_data
            method = "POST" if pattern.name in POST_ONLY else "GET"
            url = url_for(pattern, c, r, consent)
            for persona in PERSONAS:
                user = world[persona]
                client.logout()
                if user is not None:
                    client.force_login(user)
                response = client.post(url, {}) if method == "POST" else client.get(url)
                allowed = expected(kind, pattern.name, persona, state, method)
                body = response.content.decode(errors="replace")
                leak = response.status_code == 200 and c.person.name in body and not sees_person(persona, state)
                if response.status_code not in allowed or leak:
                    failures.append(f"{state} {pattern.name} {persona}: {response.status_code} (期待 {allowed})"
                                    + (" 氏名が表示された" if leak else ""))
                checked += 1
    with capsys.disabled():
        print(f"\naccess matrix: {checked} combinations checked "
              f"({len(personal)} routes × {len(PERSONAS)} personas × {len(STATES)} consent states)")
    assert failures == []


POST_ONLY = {"consultation_refer", "consultation_escalate", "consultation_handle", "consultation_close",
             "referral_accept", "referral_return", "referral_resend", "consent_withdraw"}
