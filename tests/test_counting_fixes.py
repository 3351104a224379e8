"""Counting defects of issue 15, each with its test: place counts bounded by fiscal year, the case-status chart
of the report bounded by year, and 市川市's targets that existing KPI kinds compute."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.community.models import Place
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.services import load_profile
from tsunagu.evaluation.kpis import fiscal_year_rows
from tsunagu.evaluation.report import dashboard_figures
from tsunagu.intake import services as intake

from .conftest import agency_named, parsed_profile
from .intake_fixtures import record


def rows_by_code(m, year):
    return {r.kpi.code: r for r in fiscal_year_rows(m, year)}


def test_place_counts_are_bounded_by_the_fiscal_year(imizu):
    """射水市's four 地域活動支援センター are listed by the plan (period from 令和6年度): none counts in 令和5年度."""
    assert rows_by_code(imizu, 2025)["chikatsu-setchi"].actual == 4
    assert rows_by_code(imizu, 2023)["chikatsu-setchi"].actual == 0
    profile = parsed_profile("imizu")
    places = []
    for p in profile.places:
        if p.code == "chikatsu-mugen":
            p = p.model_copy(update={"closed_on": dt.date(2025, 9, 30)})
        if p.code == "chikatsu-tsudoi":
            p = p.model_copy(update={"opened_on": dt.date(2026, 4, 1)})
        places.append(p)
    load_profile(profile.model_copy(update={"places": places}))
    assert rows_by_code(imizu, 2025)["chikatsu-setchi"].actual == 3  # むげん open until Sept; つどい not yet
    assert rows_by_code(imizu, 2026)["chikatsu-setchi"].actual == 3  # つどい opened; むげん closed


def test_a_place_removed_from_the_profile_still_counts_in_its_past_years(imizu):
    profile = parsed_profile("imizu")
    load_profile(profile.model_copy(update={"places": [p for p in profile.places if p.code != "chikatsu-mugen"]}))
    mugen = Place.objects.get(municipality=imizu, code="chikatsu-mugen")
    assert not mugen.active and mugen.closed_on == timezone.localdate()
    this_year = fiscal_year_of(timezone.localdate())
    assert rows_by_code(imizu, this_year)["chikatsu-setchi"].actual == 4
    assert rows_by_code(imizu, this_year + 1)["chikatsu-setchi"].actual == 3


def test_the_case_status_chart_counts_the_years_cases_only(imizu, intake_a, coordinator):
    this_year = fiscal_year_of(timezone.localdate())
    for when in (timezone.now(), timezone.now() - dt.timedelta(days=400)):
        c = record(intake_a, consent_all=True)
        r = intake.escalate_to_multiagency(intake_a, c, message="複合課題")
        casework.open_case(coordinator, referral=r, at=when)
    assert sum(n for _, n in dashboard_figures(imizu, this_year)["pipeline"]) == 1
    assert sum(n for _, n in dashboard_figures(imizu, this_year - 1)["pipeline"]) == 1
    assert sum(n for _, n in dashboard_figures(imizu, this_year - 3)["pipeline"]) == 0


@pytest.fixture
def ichikawa(db):
    return load_profile(parsed_profile("ichikawa"))


def test_ichikawa_targets_that_records_can_count_are_computed(ichikawa, make_staff):
    """The plan's 令和5年度 targets (seed 003 L333, L354-L357): そら's new consultations, 11 地域子育て支援センター and
    3 親子つどいの広場 — counted from the records, not typed in."""
    rows = rows_by_code(ichikawa, 2023)
    computed = {"konkyu-new-consultations", "kosodate-shien-center-count", "kosodate-shien-center-users",
                "oyako-tsudoi-count", "oyako-tsudoi-users"}
    assert {code for code in computed if rows[code].kpi.kind != "manual"} == computed
    assert rows["kosodate-shien-center-count"].actual == 11 == rows["kosodate-shien-center-count"].target
    assert rows["oyako-tsudoi-count"].actual == 3 == rows["oyako-tsudoi-count"].target
    # 15 targets: 多機関協働 and these 5 computed, the other 9 kept outside tsunagu (salons, trainings …).
    assert len(rows) == 15 and sum(1 for r in rows.values() if r.kpi.kind == "manual") == 9
    sora = make_staff(ichikawa, "sora-window", "intake", agency_named(ichikawa, "そら"))
    record(sora, address="市川市八幡1丁目1番1号")
    record(sora, name="山田 花子", kana="ヤマダ ハナコ", address="市川市八幡2丁目1番1号")
    this_year = fiscal_year_of(timezone.localdate())
    assert rows_by_code(ichikawa, this_year)["konkyu-new-consultations"].actual == 2
