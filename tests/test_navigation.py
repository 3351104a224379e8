"""Navigation by role (issue 17 point 3): each role sees the few places it works in, grouped, with counts, and no
menu link answers that role 403 or 404.

Expectations are the issue's own list (窓口: 受付・受信トレイ・今日やること・本人検索; coordinator: 事例・会議;
manager: 評価・推進体制; admin: 職員・監査) and ACCESS.md: a role kind that holds no grant on case records (manager,
admin, steward, outreach, participation) gets no casework link.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import agency_named
from tests.intake_fixtures import record
from tsunagu.core.navigation import menu
from tsunagu.directory.models import Agency
from tsunagu.intake import services as intake

pytestmark = pytest.mark.django_db

CASEWORK = {"相談受付", "相談一覧", "受信トレイ", "送信済み", "事例"}
MAX_LINKS = 12


def labels(user):
    return {link.label for group in menu(user, user.municipality) for link in group.links}


def test_each_role_sees_its_own_places(intake_a, coordinator, manager, sysadmin, steward, prefecture_user,
                                       imizu, make_staff):
    assert {"相談受付", "受信トレイ", "今日やること", "本人検索"} <= labels(intake_a)
    assert {"事例", "会議"} <= labels(coordinator)
    assert {"評価", "推進体制"} <= labels(manager)
    assert {"職員アカウント", "監査ログ"} <= labels(sysadmin)
    assert "名寄せ確認" in labels(steward)
    assert "管内市町村" in labels(prefecture_user)
    outreach = make_staff(imizu, "outreach_n", "outreach", agency_named(imizu, "地域福祉課"))
    participation = make_staff(imizu, "sanka_n", "participation", agency_named(imizu, "地域福祉課"))
    for user in (manager, sysadmin, steward, outreach, participation, prefecture_user):
        assert not labels(user) & CASEWORK, (user.username, labels(user) & CASEWORK)
    assert "職員アカウント" not in labels(intake_a) | labels(coordinator) | labels(manager)
    assert "監査ログ" not in labels(intake_a) | labels(coordinator) | labels(manager)
    for user in (intake_a, coordinator, manager, sysadmin, steward, outreach, participation, prefecture_user):
        groups = menu(user, user.municipality)
        assert all(g.title and g.links for g in groups)
        assert sum(len(g.links) for g in groups) <= MAX_LINKS, user.username


def test_no_menu_link_is_refused_or_missing(client, intake_a, coordinator, manager, sysadmin, steward,
                                            prefecture_user, imizu, make_staff):
    outreach = make_staff(imizu, "outreach_n", "outreach", agency_named(imizu, "地域福祉課"))
    participation = make_staff(imizu, "sanka_n", "participation", agency_named(imizu, "地域福祉課"))
    member = make_staff(imizu, "member_n", "meeting_member")
    for user in (intake_a, coordinator, manager, sysadmin, steward, outreach, participation, member, prefecture_user):
        client.force_login(user)
        for group in menu(user, user.municipality):
            for link in group.links:
                assert client.get(link.url).status_code == 200, (user.username, link.label, link.url)
        client.logout()


def test_counts_show_what_waits(client, intake_a, staff_b, imizu):
    receiver = Agency.objects.get(pk=staff_b.agency_id)
    for i in range(3):
        consultation = record(intake_a, name=f"試験 花子{i}", kana="シケン ハナコ", consent_agencies=[receiver])
        intake.refer_consultation(intake_a, consultation, to_agency=receiver, message="専門の支援のため")
    inbox = {link.label: link for g in menu(staff_b, imizu) for link in g.links}["受信トレイ"]
    assert inbox.count == 3
    client.force_login(staff_b)
    html = client.get("/").content.decode()
    assert re.search(r"受信トレイ\s*<[^>]*>\s*3\b", html), "the menu shows the inbox count"


DEMO_ROLES = ["imizu.madoguchi", "imizu.suishin", "imizu.coord", "imizu.steward", "imizu.outreach", "imizu.sanka",
              "imizu.chiiki", "imizu.member", "imizu.manager", "imizu.admin", "shiga.pref"]
HREF = re.compile(r'<a [^>]*href="(/[^"#]*)"')
SKIP = re.compile(r"^/(accounts/logout|static/)")


def test_no_link_on_a_menu_page_is_refused_or_missing(client):
    """From every menu page of every demo role, every link on that page answers (no 403, no 404)."""
    from io import StringIO

    from django.core.management import call_command

    from tsunagu.directory.models import Staff

    call_command("demo", households=12, stdout=StringIO())
    dead, followed = [], 0
    for username in DEMO_ROLES:
        user = Staff.objects.get(username=username)
        client.force_login(user)
        seen = set()
        for group in menu(user, user.municipality):
            for link in group.links:
                html = client.get(link.url).content.decode()
                for href in HREF.findall(html):
                    href = href.replace("&amp;", "&")
                    if href in seen or SKIP.match(href):
                        continue
                    seen.add(href)
                    status = client.get(href).status_code
                    followed += 1
                    if status in (403, 404):
                        dead.append((username, link.label, href, status))
        client.logout()
    print(f"followed {followed} links from the menu pages of {len(DEMO_ROLES)} roles; {len(dead)} refused")
    assert not dead, dead
