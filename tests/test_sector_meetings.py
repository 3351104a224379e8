"""Sector meetings (地域ケア会議 介護保険法第115条の48, 要保護児童対策地域協議会 児童福祉法第25条の2, 生活困窮者自立支援法
第9条の支援会議 …) hold case items under their own statute, stored per item; KPIs count them by basis (issue 15).

福生市's plan lists these meetings (seed 001, L271-L281), so its profile is the fixture.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.directory.models import MeetingType
from tsunagu.evaluation.kpis import actual_for
from tsunagu.evaluation.models import KpiDefinition
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import AgendaItem

from .casework_fixtures import escalated_case, hold
from .conftest import agency_named


@pytest.fixture
def fussa_staff(fussa, make_staff):
    window = make_staff(fussa, "fussa-window", "intake", agency_named(fussa, "地域包括支援センター"))
    coord = make_staff(fussa, "fussa-coord", "coordinator", agency_named(fussa, "福祉総合相談窓口"))
    return window, coord


def mt(fussa, code):
    return MeetingType.objects.get(municipality=fussa, code=code)


def held(coord, meeting_type, when=None):
    return meetings.schedule_meeting(coord, meeting_type=meeting_type, title=meeting_type.name,
                                     scheduled_at=when or timezone.now())


def test_a_care_meeting_holds_a_no_consent_case_under_its_own_statute(fussa, fussa_staff):
    window, coord = fussa_staff
    case = escalated_case(window, coord, consent=False)
    care = held(coord, mt(fussa, "chiiki-care"))
    item = meetings.add_agenda_item(coord, care, purpose="sharing", case=case, legal_basis="sector_meeting")
    assert (item.legal_basis, item.statute) == ("sector_meeting", "介護保険法第115条の48")
    assert item.basis_label == "介護保険法第115条の48（地域ケア会議）"
    assert item.rests_on_statute
    # The merged care meeting offers exactly its own two bases: consent, or its statute (never 法106条の6).
    assert [label for _, label in meetings.item_basis_choices(care.meeting_type)] == [
        "本人同意", "介護保険法第115条の48（地域ケア会議）"]
    with pytest.raises(DomainError, match="本人同意 または 介護保険法第115条の48（地域ケア会議）"):
        meetings.add_agenda_item(coord, care, purpose="sharing", case=case, legal_basis="support_meeting")


def test_a_child_protection_council_needs_no_consent_and_cites_its_duty(fussa, fussa_staff):
    window, coord = fussa_staff
    case = escalated_case(window, coord, consent=False)
    council = held(coord, mt(fussa, "yotaikyo"))
    item = meetings.add_agenda_item(coord, council, purpose="sharing", case=case)
    assert item.statute == "児童福祉法第25条の2" and item.legal_basis == "sector_meeting"
    assert council.meeting_type.duty_text == "児童福祉法第25条の5"


def test_sector_meetings_never_approve_plans(fussa, fussa_staff):
    window, coord = fussa_staff
    case = escalated_case(window, coord, consent=True)
    care = held(coord, mt(fussa, "chiiki-care"))
    with pytest.raises(DomainError, match="本人同意のある重層的支援会議でだけ行えます"):
        meetings.add_agenda_item(coord, care, purpose="plan", case=case, legal_basis="consent")


def test_a_meeting_without_case_items_refuses_them(fussa, fussa_staff):
    window, coord = fussa_staff
    case = escalated_case(window, coord, consent=True)
    renkei = held(coord, mt(fussa, "fukushi-renkei"))
    with pytest.raises(DomainError, match="「福祉連携会議」では個別の事例を扱えません"):
        meetings.add_agenda_item(coord, renkei, purpose="sharing", case=case)


def test_meeting_page_shows_the_meetings_own_duty(fussa, fussa_staff, client):
    window, coord = fussa_staff
    care = held(coord, mt(fussa, "chiiki-care"))
    client.force_login(coord)
    body = client.get(f"/meetings/{care.pk}/").content.decode()
    assert "介護保険法第115条の48第5項による守秘義務" in body
    assert "第106条の6第5項" not in body and "社会福祉法第106条の6（支援会議）" not in body


def kpi(m, code, kind, **filters):
    return KpiDefinition.objects.create(municipality=m, code=code, name=code, kind=kind, area="多機関協働",
                                        filters=filters)


def test_kpis_count_meetings_and_items_by_legal_basis(fussa, fussa_staff):
    """福生市's 生活困窮者自立支援法 支援会議 is not a 法106条の6 支援会議; a merged meeting counts under each basis it
    actually used."""
    window, coord = fussa_staff
    consented = escalated_case(window, coord, consent=True)
    unconsented = escalated_case(window, coord, consent=False)
    meetings_held = []
    for code in ("shien-kaigi", "konkyu-shien-kaigi", "chiiki-care", "chiiki-care"):
        m = held(coord, mt(fussa, code))
        meetings_held.append(m)
    shien, konkyu, care_both, care_consent = meetings_held
    meetings.add_agenda_item(coord, shien, purpose="sharing", case=unconsented)
    meetings.add_agenda_item(coord, konkyu, purpose="sharing", case=unconsented)
    meetings.add_agenda_item(coord, care_both, purpose="sharing", case=unconsented, legal_basis="sector_meeting")
    meetings.add_agenda_item(coord, care_both, purpose="sharing", case=consented, legal_basis="consent")
    meetings.add_agenda_item(coord, care_consent, purpose="sharing", case=consented, legal_basis="consent")
    for m in meetings_held:
        hold(coord, m)
    today = timezone.localdate()
    fy_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    fy_end = dt.date(fy_start.year + 1, 3, 31)

    def count(kind, **filters):
        return actual_for(kpi(fussa, f"{kind}-{len(filters)}-{sorted(filters.items())!s:.20}", kind, **filters),
                          fy_start, fy_end)

    assert count("shien_meetings_held") == 1  # only 支援会議 of 社会福祉法第106条の6
    assert count("meetings_held", statute="生活困窮者自立支援法第9条") == 1
    assert count("meetings_held", statute="介護保険法第115条の48") == 2
    assert count("case_items", basis="介護保険法第115条の48") == 1
    assert count("case_items", basis="生活困窮者自立支援法第9条") == 1
    assert count("case_items", basis="社会福祉法第106条の6") == 1
    assert count("case_items", basis="consent") == 2
    # 福生市's profile KPI of the same definition: 困窮法の支援会議 counted apart from 支援会議開催回数.
    shipped = KpiDefinition.objects.get(municipality=fussa, code="konkyu-shien-kaigi-meetings")
    assert actual_for(shipped, fy_start, fy_end) == 1
    assert actual_for(KpiDefinition.objects.get(municipality=fussa, code="shien-meetings"), fy_start, fy_end) == 1
    assert AgendaItem.objects.filter(municipality=fussa, legal_basis="sector_meeting").count() == 2


def test_a_pre_consent_outreach_target_goes_only_to_a_106_6_meeting(fussa, fussa_staff, make_staff):
    from tsunagu.outreach import services as outreach

    _, coord = fussa_staff
    out = make_staff(fussa, "fussa-out", "outreach", agency_named(fussa, "福祉総合相談窓口"))
    target = outreach.register_target(out, address="福生市本町1", source=fussa.outreach_sources[0], provider="民生委員",
                                      noticed="新聞がたまっている", legal_basis="vital", found_on=timezone.localdate())
    care = held(coord, mt(fussa, "chiiki-care"))
    with pytest.raises(DomainError, match="社会福祉法第106条の6（支援会議）でだけ検討できます"):
        outreach.put_on_agenda(out, target, care)
    item = outreach.put_on_agenda(out, target, held(coord, mt(fussa, "shien-kaigi")))
    assert (item.legal_basis, item.statute) == ("support_meeting", "社会福祉法第106条の6")


def test_outreach_staff_of_their_own_agency_reach_a_meeting_they_sit_on(imizu, coordinator, make_staff):
    """市川市's outreach team is an agency of its own: it reaches a 106条の6 meeting as a member."""
    from tsunagu.outreach import services as outreach
    from tsunagu.outreach.forms import AgendaForm

    other = agency_named(imizu, "社会福祉課")
    out = make_staff(imizu, "out-elsewhere", "outreach", other)
    target = outreach.register_target(out, address="射水市本町1", source=imizu.outreach_sources[0], provider="民生委員",
                                      noticed="x", legal_basis="vital", found_on=timezone.localdate())
    shien = held(coordinator, MeetingType.objects.get(municipality=imizu, code="shien-kaigi"))
    assert list(AgendaForm(user=out).fields["meeting"].queryset) == []
    with pytest.raises(DomainError, match="あなたが構成員の会議"):
        outreach.put_on_agenda(out, target, shien)
    meetings.add_member(coordinator, shien, staff=out)
    assert list(AgendaForm(user=out).fields["meeting"].queryset) == [shien]
    assert outreach.put_on_agenda(out, target, shien).statute == "社会福祉法第106条の6"


def test_ichikawa_renkei_kyoka_takes_consented_cases(db, make_staff):
    """市川市's 連携強化の部 (kind 部会) had no page: v2 lets it hold consented case items."""
    from tsunagu.directory.services import load_profile

    from .conftest import parsed_profile

    ichikawa = load_profile(parsed_profile("ichikawa"))
    window = make_staff(ichikawa, "ichi-window", "intake", agency_named(ichikawa, "高齢者サポートセンター国府台"))
    coord = make_staff(ichikawa, "ichi-coord", "coordinator", agency_named(ichikawa, "多機関協働事業"))
    case = escalated_case(window, coord, consent=True)
    bu = held(coord, MeetingType.objects.get(municipality=ichikawa, code="renkei-kyoka"))
    item = meetings.add_agenda_item(coord, bu, purpose="sharing", case=case)
    assert item.legal_basis == "consent" and item.statute == ""
    unconsented = escalated_case(window, coord, consent=False)
    # No 支援会議 in 市川市's plan: the refusal says to record consent first rather than naming a meeting it lacks.
    with pytest.raises(DomainError, match="先に本人同意を記録してください"):
        meetings.add_agenda_item(coord, bu, purpose="sharing", case=unconsented)
