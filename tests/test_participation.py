"""参加支援: matching a person with ひきこもり needs to a 居場所, 定着支援, 受け入れ先支援, and the unmet need that
becomes a 地域課題 in the district view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from tsunagu.community.districts import district_rows
from tsunagu.meetings.models import ResourceGap
from tsunagu.participation import services
from tsunagu.participation.matching import suggest
from tsunagu.participation.models import Placement
from tsunagu.participation.services import ParticipationError
from tsunagu.privacy.models import AuditEvent

from .intake_fixtures import record
from .program_fixtures import cafe, days_ago, district, participation_staff, referred_to_participation

pytestmark = pytest.mark.django_db
PURPOSES = ("関係機関へのつなぎ", "多機関協働", "参加支援")


@pytest.fixture
def sanka(imizu, make_staff):
    return participation_staff(imizu, make_staff)


@pytest.fixture
def catalog(sanka, imizu):
    return {
        "cafe": cafe(sanka, imizu),
        "far": cafe(sanka, imizu, name="太閤山の居場所", district=district(imizu, "taikoyama"), cost=500,
                    days=["土"], accessibility=[]),
        "work": services.create_resource(sanka, name="農園の就労体験", kind="農福連携", host="JAいみず野",
                                         needs=["就労準備", "生活リズム"], district=district(imizu, "daimon"),
                                         days=["月", "水"], cost=0),
    }


@pytest.fixture
def hikikomori(intake_a, coordinator):
    """引籠 太一: referred to 参加支援 with consent through a 多機関協働 plan (ACCESS.md G9)."""
    return referred_to_participation(intake_a, coordinator)


def test_it_matches_a_hikikomori_person_to_an_ibasho_and_follows_up(sanka, imizu, catalog, client, hikikomori):
    person = hikikomori
    sheet = services.save_needs_sheet(sanka, person, needs=["ひきこもり", "居場所"], wishes="人の少ない場所なら行ってみたい",
                                      district=district(imizu, "hyoguri"), available_days=["火", "木"], max_cost=0,
                                      access_needs=["少人数"])
    ranked = suggest(sheet)
    assert [s.resource for s in ranked] == [catalog["cafe"], catalog["far"]]  # the 就労体験 does not meet the needs
    best, other = ranked
    assert best.fits and any("ひきこもり" in r for r in best.reasons) and any("戸破地区" in r for r in best.reasons)
    assert any("500円が上限（0円）を超えます" in r for r in other.reasons)
    assert any("曜日" in r and r.startswith("－") for r in other.reasons)

    placement = services.propose(sanka, person, catalog["cafe"], reasons=" ".join(best.reasons), on=days_ago(40))
    services.advance(sanka, placement, status=Placement.VISITED, on=days_ago(35))
    services.advance(sanka, placement, status=Placement.STARTED, on=days_ago(30))
    placement.refresh_from_db()
    checkins = list(placement.checkins.all())
    assert [c.due_on for c in checkins] == [days_ago(16), days_ago(0), days_ago(-60)]
    services.record_checkin(sanka, checkins[0], done_on=days_ago(16), note="週1回通えている")
    services.record_checkin(sanka, checkins[1], note="スタッフと話せるようになった")
    assert placement.checkins.filter(done_on__isnull=False).count() == 2
    support = services.record_host_support(sanka, catalog["cafe"], kind="advice", placement=placement,
                                           concern="本人が急に帰ってしまうことがあり、声をかけてよいか迷う",
                                           response="無理に引き留めず、次回の予定だけ伝えるよう助言")
    assert support.concern.startswith("本人が急に帰って")

    client.force_login(sanka)
    page = client.get(reverse("participant", args=[person.pk])).content.decode()
    assert "すてっぴカフェ" in page and "参加開始" in page and "週1回通えている" in page
    detail = client.get(reverse("resource_detail", args=[catalog["cafe"].pk])).content.decode()
    assert "声をかけてよいか迷う" in detail
    assert AuditEvent.objects.filter(action="participation.viewed", object_id=str(person.pk)).exists()
    assert AuditEvent.objects.filter(action="participation.matched", object_id=str(person.pk)).exists()


def test_an_unmet_need_becomes_a_gap_in_the_district_view(sanka, imizu, catalog, client, intake_a, coordinator):
    person = referred_to_participation(intake_a, coordinator, name="学び 直子", tags=("孤立",))
    sheet = services.save_needs_sheet(sanka, person, needs=["学び直し"], district=district(imizu, "oshima"),
                                      available_days=["土"])
    assert suggest(sheet) == []
    client.force_login(sanka)
    assert "条件に合う社会資源がありません" in client.get(reverse("participant", args=[person.pk])).content.decode()
    response = client.post(reverse("participation_gap", args=[person.pk]),
                           {"title": "大島地区に土曜に通える学び直しの場がない"})
    assert response.status_code == 302
    gap = ResourceGap.objects.get()
    assert gap.district.code == "oshima" and gap.status == "identified"
    assert "学び 直子" not in gap.description and "学び直し" in gap.description
    row = next(r for r in district_rows(imizu, days_ago(0)) if r.district and r.district.code == "oshima")
    assert row.gaps == [gap]
    page = client.get(reverse("district_view")).content.decode()
    assert "大島地区に土曜に通える学び直しの場がない" in page


def test_it_needs_consent_to_propose_and_the_right_role(sanka, imizu, catalog, coordinator, intake_a, hikikomori):
    # Referred to 参加支援 without consent: no grant (G9 rests on consent), so the record does not exist for the
    # participation role (G15), and nothing can be proposed to a host.
    no_consent = referred_to_participation(intake_a, coordinator, name="無同意 四郎", consent=False)
    with pytest.raises(Http404):
        services.propose(sanka, no_consent, catalog["cafe"])
    with pytest.raises(PermissionDenied):
        services.save_needs_sheet(coordinator, hikikomori, needs=["居場所"])
    with pytest.raises(ParticipationError) as exc:
        services.save_needs_sheet(sanka, hikikomori, needs=[])
    assert exc.value.field == "needs"
    # Consent to share with every agency, but never referred to 参加支援: no grant either.
    other = record(intake_a, name="他機関 五郎", consent_all=True, purposes=PURPOSES).person
    with pytest.raises(Http404):
        services.save_needs_sheet(sanka, other, needs=["居場所"])
    # Consent that leaves out 参加支援 as a purpose: no grant.
    narrow = referred_to_participation(intake_a, coordinator, name="目的外 六郎", purposes=("多機関協働",))
    with pytest.raises(Http404):
        services.save_needs_sheet(sanka, narrow, needs=["居場所"])


def test_placement_transitions_are_checked(sanka, catalog, hikikomori):
    person = hikikomori
    placement = services.propose(sanka, person, catalog["cafe"])
    with pytest.raises(ParticipationError) as exc:
        services.advance(sanka, placement, status=Placement.SETTLED)
    assert exc.value.field == "status"
    with pytest.raises(ParticipationError) as exc:
        services.advance(sanka, placement, status=Placement.INTERRUPTED)
    assert exc.value.field == "note"
    services.advance(sanka, placement, status=Placement.INTERRUPTED, note="体調を崩した")
    services.propose(sanka, person, catalog["cafe"])  # after an interruption the person may try again
    with pytest.raises(ParticipationError) as exc:
        services.propose(sanka, person, catalog["cafe"])
    assert "すでに提案中" in exc.value.message


def test_the_catalog_is_searchable_by_need_and_forms_keep_input(sanka, catalog, client, hikikomori):
    client.force_login(sanka)
    page = client.get(reverse("resource_list"), {"need": "就労準備"}).content.decode()
    assert "農園の就労体験" in page and "すてっぴカフェ" not in page
    page = client.get(reverse("resource_list"), {"need": "居場所", "free": "on"}).content.decode()
    assert "すてっぴカフェ" in page and "太閤山の居場所" not in page
    response = client.post(reverse("resource_new"), {"name": "新しい学びの場", "kind": "学び", "host": "",
                                                     "cost": "0"})
    body = response.content.decode()
    assert response.status_code == 400 and "新しい学びの場" in body and "受け入れ先を入力してください" in body
    person = hikikomori
    response = client.post(reverse("participation_needs", args=[person.pk]), {"wishes": "静かな場所"})
    body = response.content.decode()
    assert response.status_code == 400 and "ニーズを一つ以上選んでください" in body and "静かな場所" in body
