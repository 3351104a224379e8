"""The person, consultation and case pages ask the access policy in a fixed number of queries, whatever the number
of grants the user holds (the grants of a user on one person are one query; ACCESS.md is applied in memory)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.casework import services as casework
from tsunagu.intake import services as intake

from .intake_fixtures import record

pytestmark = pytest.mark.django_db


def _case_with_team(intake_a, coordinator, staff_b, name):
    c = record(intake_a, name=name, consent_all=True)
    r = intake.escalate_to_multiagency(intake_a, c, message="多機関で")
    case = casework.open_case(coordinator, referral=r)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="つなぎ")
    return c, case


def _counts(client, user, c, case):
    client.force_login(user)
    out = {}
    for name, url in (("person", reverse("person_detail", args=[c.person_id])),
                      ("consultation", reverse("consultation_detail", args=[c.pk])),
                      ("case", reverse("case_detail", args=[case.pk]))):
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        out[name] = len(ctx)
    return out


def test_page_queries_do_not_grow_with_the_grants_a_user_holds(intake_a, coordinator, staff_b, client):
    c, case = _case_with_team(intake_a, coordinator, staff_b, "基準 一人")
    small = _counts(client, staff_b, c, case)
    for i in range(25):  # 25 more persons, each with a referral (G2) and a team membership (G4) for B
        _case_with_team(intake_a, coordinator, staff_b, f"追加 {i}人目")
    from tsunagu.privacy.models import Grant

    assert Grant.objects.filter(agency=staff_b.agency, ended_at__isnull=True).count() >= 52
    large = _counts(client, staff_b, c, case)
    assert large == small, (small, large)
    for kind in ("person", "consultation", "case"):
        assert small[kind] <= 30, small  # a budget, not a target: issue 18 tightens the pages
