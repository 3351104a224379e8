"""Browser journeys for issue 5: outreach to intake, matching to a 居場所, and the district view."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    call_command("demo", households=20, stdout=StringIO())


def test_outreach_target_is_contacted_and_handed_to_intake(page, demo):
    login(page, "imizu.outreach", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="アウトリーチ", exact=True).click()
    page.get_by_role("link", name="＋ 対象者を登録する").click()
    page.locator("#id_source").select_option("水道検針")
    page.get_by_label("情報提供者").fill("射水市上下水道局 検針員")
    page.get_by_label("情報提供協定").select_option(label="射水市上下水道局（水道検針）")
    page.get_by_label("情報を保有する根拠").select_option("agreement")
    page.get_by_label("気づいた内容").fill("検針票が2か月ポストに残っている")
    page.get_by_label("氏名（わかれば）").fill("試験 検針")
    page.locator("#id_address").fill("射水市戸破3番地")
    page.get_by_label("ひきこもり").check()
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("アウトリーチ対象者を登録しました").wait_for()
    assert "戸破地区" in page.content()

    page.get_by_label("訪問", exact=True).check()
    page.get_by_label("実施日").fill(timezone.localdate().isoformat())
    page.get_by_label("結果").select_option("talked")
    page.get_by_label("記録", exact=True).fill("玄関先で本人と話せた")
    page.get_by_role("button", name="記録する").click()
    page.get_by_text("接触の試みを記録しました").wait_for()
    assert "関係構築中" in page.locator("h1").inner_text()

    page.get_by_role("link", name="同意を得て相談受付へ引き継ぐ").click()
    page.get_by_label("多機関協働").check()
    page.get_by_label("同意の方法").select_option("書面")
    page.get_by_label("同意日").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="同意を記録して引き継ぐ").click()
    page.get_by_text("の相談受付に引き継ぎました").wait_for()
    # The hand-over ends the outreach role's grant (G8): the consultation is 地域福祉課's, for its casework roles.
    assert "射水市戸破3番地" not in page.content()
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")
    login(page, "imizu.coord", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="相談一覧").click()
    page.get_by_role("row").filter(has_text="試験 検針").get_by_role("link").first.click()
    body = page.content()
    assert "試験 検針" in body and "射水市戸破3番地" in body and "検針票が2か月ポストに残っている" in body


def test_participation_coordinator_matches_and_follows_up(page, demo):
    login(page, "imizu.sanka", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="参加支援", exact=True).click()
    page.get_by_role("link", name="森川 修").first.click()
    page.get_by_label("学び直し").check()
    page.get_by_role("button", name="ニーズシートを保存").click()
    page.get_by_text("ニーズシートを保存しました").wait_for()
    suggestions = page.locator("#matching")
    assert "ニーズ「ひきこもり" in suggestions.inner_text()
    page.get_by_role("button", name="いみず野 農園の就労体験を提案する").click()
    page.get_by_text("社会資源を提案しました").wait_for()
    card = page.locator(".card").filter(has_text="いみず野 農園の就労体験").filter(has_text="提案の理由")
    card.get_by_label("次の状態").select_option("started")
    card.get_by_role("button", name="状態を更新").click()
    page.get_by_text("状態を更新しました").wait_for()
    card = page.locator(".card").filter(has_text="いみず野 農園の就労体験").filter(has_text="定着支援")
    card.get_by_label("本人の様子").first.fill("送迎で毎回参加できている")
    card.get_by_role("button", name="定着支援を記録").first.click()
    page.get_by_text("定着支援を記録しました").wait_for()
    assert "送迎で毎回参加できている" in page.content()


def test_district_view_shows_places_usage_and_gaps(page, demo):
    login(page, "imizu.chiiki", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="地区別の状況").click()
    row = page.locator("#district-hyoguri")
    assert "すてっぴカフェ" in row.inner_text()
    assert "戸破地区に夜間・土日に通える若者の居場所がない" in row.inner_text()
    row.get_by_role("link", name="すてっぴカフェ").first.click()
    page.get_by_label("期間（開始）").fill("2026-04-01")
    page.get_by_label("期間（終了）").fill("2026-04-03")
    page.get_by_label("参加者数（実人数）").fill("5")
    page.get_by_label("延べ利用者数").fill("2")
    page.get_by_role("button", name="記録する").click()
    page.get_by_text("延べ利用者数は参加者数（実人数）以上になります").first.wait_for()
    assert page.get_by_label("参加者数（実人数）").input_value() == "5"
    page.get_by_label("延べ利用者数").fill("12")
    page.get_by_role("button", name="記録する").click()
    page.get_by_text("利用実績を記録しました").wait_for()
    page.get_by_role("link", name="← 地区別の状況").click()
    page.get_by_role("link", name="地域課題の一覧").click()
    row = page.get_by_role("row").filter(has_text="戸破地区に夜間・土日に通える若者の居場所がない")
    row.get_by_role("button", name="「検討中」にする").click()
    page.get_by_text("検討中にしました").wait_for()
