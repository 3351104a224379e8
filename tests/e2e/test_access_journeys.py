"""Browser journeys of the access model (issue 11): emergency access and its review, the per-person access
report, and widening a consent after intake — each as staff would do it, from login."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD
from tsunagu.directory.models import Agency, Staff
from tsunagu.intake import services as intake

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=10, stdout=StringIO())


def _record(username, name, *, consent_agencies=None):
    user = Staff.objects.get(username=username)
    consent = None
    if consent_agencies is not None:
        consent = {"scope_all_agencies": False, "scope_agencies": consent_agencies,
                   "purposes": ["関係機関へのつなぎ"], "method": "書面", "obtained_on": timezone.localdate()}
    return intake.record_consultation(
        user, new_person={"name": name, "kana": "キンキュウ タロウ", "birth_date": dt.date(1948, 7, 7),
                          "address": "射水市放生津町7番地", "phone": "0766-77-7777"},
        received_at=timezone.now(), channel="来所", consulter_type="本人", chief_complaint="一人暮らしの不安",
        issue_tags=["孤立"], urgency="normal", consent=consent)


def _logout(page):
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")


def test_emergency_access_is_asked_with_a_reason_and_reviewed_by_the_recording_agency(page, demo):
    c = _record("imizu.madoguchi", "緊急 太郎")
    login(page, "imizu.kodomo", DEMO_PASSWORD)
    page.wait_for_url("**/")
    # Not visible to こども家庭センター: the search says nothing about it.
    page.get_by_role("link", name="本人検索").click()
    page.get_by_label("氏名・フリガナ").fill("緊急")
    page.get_by_role("button", name="検索").click()
    page.get_by_text("0 件").wait_for()
    assert "緊急 太郎" not in page.locator("main").inner_text()
    page.get_by_role("link", name="緊急時の閲覧").click()
    page.get_by_label("氏名").fill("緊急 太郎")
    page.get_by_label("生年月日").fill("昭和23年7月7日")
    page.get_by_label("根拠").select_option("vital_private")
    page.get_by_label("理由（誰の生命・身体を守るために、何を確かめるのか）").fill("救急搬送され、家族の連絡先を確認する必要がある")
    page.get_by_role("button", name="理由を記録して閲覧する").click()
    page.get_by_text("緊急時の閲覧を開始しました").wait_for()
    main = page.locator("main").inner_text()
    assert "緊急 太郎" in main and "昭和23年7月7日" in main and "0766-77-7777" in main
    assert "緊急時の閲覧として表示しています" in main and "一人暮らしの不安" not in main  # ID + BASIC only
    _logout(page)

    # The agency that recorded the person is told in 今日やること, and reviews it.
    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="今日やること").click()
    page.get_by_role("link", name="確認待ちの緊急時の閲覧: 1 件").click()
    row = page.get_by_role("row").filter(has_text="緊急 太郎")
    assert "子育 美咲" in row.inner_text() and "救急搬送され" in row.inner_text()
    row.get_by_role("textbox").fill("必要な範囲の閲覧だったことを確認した。本人に説明済み")
    row.get_by_role("button", name="確認を記録").click()
    page.get_by_text("確認を記録しました").wait_for()
    assert "必要な範囲の閲覧だったこと" in page.locator("main").inner_text()
    _logout(page)

    # The manager sees the review list too, without the person's name (G11).
    login(page, "imizu.manager", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="緊急時の閲覧の確認").click()
    text = page.locator("main").inner_text()
    assert f"本人 #{c.person_id}" in text and "緊急 太郎" not in text and "子育 美咲" in text


def test_the_recording_agency_sees_who_saw_the_record_and_on_what_basis(page, demo):
    aine = Agency.objects.get(name="あいネットいみず")
    c = _record("imizu.madoguchi", "閲覧 記録子", consent_agencies=[aine])
    r = intake.refer_consultation(Staff.objects.get(username="imizu.madoguchi"), c, to_agency=aine,
                                  message="障害福祉サービスの相談")
    login(page, "imizu.shogai", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/referrals/{r.pk}/")
    page.get_by_role("link", name="閲覧 記録子").click()
    page.get_by_role("heading", name="閲覧 記録子").wait_for()
    _logout(page)

    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/people/{c.person_id}/")
    page.get_by_role("link", name="この方の記録を見た人・見られる人").click()
    page.get_by_role("heading", name="この方の記録を見た人・見られる人").wait_for()
    now = page.locator("section").filter(has=page.get_by_role("heading", name="いま見られる人と、その根拠"))
    assert "あいネットいみず の相談支援の職員" in now.inner_text() and f"つなぎ #{r.pk}" in now.inner_text()
    reads = page.locator("section").filter(has=page.get_by_role("heading", name="閲覧の記録"))
    row = reads.get_by_role("row").filter(has_text="障害 一郎").filter(has_text="本人の記録の閲覧").first
    assert "G2" in row.inner_text() and "本人同意" in row.inner_text()


def test_a_consent_widened_after_intake_opens_the_referral_at_once(page, demo):
    kodomo = Agency.objects.get(name="こども家庭センター")
    aine = Agency.objects.get(name="あいネットいみず")
    c = _record("imizu.madoguchi", "同意 広子", consent_agencies=[kodomo])
    r = intake.refer_consultation(Staff.objects.get(username="imizu.madoguchi"), c, to_agency=aine,
                                  message="就労の相談", statutory_basis="benefit")
    login(page, "imizu.shogai", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/referrals/{r.pk}/")
    shared = page.locator("section").filter(has=page.get_by_role("heading", name="共有された記録")).inner_text()
    assert "同意 広子" in shared and "0766-77-7777" not in shared and "昭和23年" not in shared  # statutory: ID only
    _logout(page)

    # The person agrees to share with あいネットいみず too: the window widens the consent on the person page.
    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/people/{c.person_id}/")
    page.get_by_role("link", name="範囲を変更する").click()
    page.get_by_label("あいネットいみず").check()
    page.get_by_label("同意の方法").select_option("口頭")
    page.get_by_label("同意日").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="同意を変更する").click()
    page.get_by_text("同意を変更しました").wait_for()
    consents = page.locator("section").filter(has=page.get_by_role("heading", name="本人同意")).inner_text()
    assert "変更済み" in consents and "あいネットいみず" in consents
    _logout(page)

    login(page, "imizu.shogai", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/referrals/{r.pk}/")
    shared = page.locator("section").filter(has=page.get_by_role("heading", name="共有された記録")).inner_text()
    assert "0766-77-7777" in shared and "昭和23年7月7日" in shared and "本人同意に基づいて共有された情報です" in shared
