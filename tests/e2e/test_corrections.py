"""Browser journey of 訂正と履歴 (issue 13, point 2), as a worker would do it from login: correct an address with a
reason, see the history with the diff; the agency the person was referred to is told on 今日やること."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD
from tsunagu.directory.models import Staff
from tsunagu.intake import services as intake

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=10, stdout=StringIO())


def test_a_worker_corrects_an_address_with_a_reason_and_sees_the_history(page, demo):
    window, receiver = Staff.objects.get(username="imizu.madoguchi"), Staff.objects.get(username="imizu.kodomo")
    c = intake.record_consultation(
        window, new_person={"name": "訂正 花子", "kana": "テイセイ ハナコ", "birth_date": dt.date(1950, 3, 3),
                            "address": "射水市放生津町3番地", "phone": "0766-33-3333"},
        received_at=timezone.now(), channel="来所", consulter_type="本人", chief_complaint="一人暮らしの不安",
        issue_tags=["孤立"], urgency="normal",
        consent={"scope_all_agencies": False, "scope_agencies": [receiver.agency], "purposes": ["関係機関へのつなぎ"],
                 "method": "書面", "obtained_on": timezone.localdate()})
    intake.refer_consultation(window, c, to_agency=receiver.agency, message="子育ての相談")

    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.goto(f"/people/{c.person_id}/")
    page.get_by_role("link", name="基本情報を訂正する").click()
    page.get_by_label("住所", exact=True).fill("射水市本町1丁目5番地")
    page.get_by_role("button", name="訂正する").click()
    # no reason: refused, in Japanese, and nothing saved
    page.get_by_text("訂正の理由を入力してください").first.wait_for()
    page.get_by_label("住所", exact=True).fill("射水市本町1丁目5番地")
    page.get_by_label("訂正の理由").fill("転居の届出により住所を変更")
    page.get_by_role("button", name="訂正する").click()
    page.wait_for_url(f"**/people/{c.person_id}/history/")
    main = page.locator("main").inner_text()
    assert "第2版" in main and "転居の届出により住所を変更" in main and "第1版" in main
    row = page.locator("tr", has_text="住所").first.inner_text()
    assert "射水市放生津町3番地" in row and "射水市本町1丁目5番地" in row
    page.get_by_role("link", name="← 戻る").click()
    assert "射水市本町1丁目5番地" in page.locator("main").inner_text()

    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")
    login(page, "imizu.kodomo", DEMO_PASSWORD)
    page.goto("/today/")
    page.get_by_role("link", name="訂正のお知らせ（未確認）: 1 件").click()
    assert "住所" in page.locator("main").inner_text()
    page.get_by_role("link", name=f"本人 #{c.person_id} 第2版").click()
    assert "転居の届出により住所を変更" in page.locator("main").inner_text()
