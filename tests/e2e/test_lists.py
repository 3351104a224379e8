"""Issue 13 point 6 in the browser: a window worker finds consultations in the 相談一覧 — by a date range typed in
和暦 and by status — sorts them, goes to page 2 and downloads what is shown as CSV (相談台帳)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD
from tsunagu.directory.models import Staff
from tsunagu.intake import services as intake

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("demo", households=20, stdout=io.StringIO())


def _consult(user, when, name):
    return intake.record_consultation(
        user, new_person={"name": name, "kana": "シケン", "birth_date": dt.date(1970, 1, 1),
                          "address": "射水市本町1番", "phone": ""},
        received_at=when, channel="来所", consulter_type="本人", consulter_name="", chief_complaint="一覧の試験",
        issue_tags=["孤立"], urgency="normal", sensitive_categories=[], sensitive_notes="", household_members=[],
        consent=None)


def test_worker_filters_sorts_pages_and_exports_the_consultation_list(page, demo):
    worker = Staff.objects.get(username="imizu.madoguchi")
    tz = timezone.get_current_timezone()
    # 令和2年5月 (2020): 30 open consultations and 3 closed ones, nothing else of the demo falls in that month.
    for day in range(30):
        _consult(worker, dt.datetime(2020, 5, 1, 9, tzinfo=tz) + dt.timedelta(days=day), f"一覧 {day + 1:02d}")
    for day in range(3):
        c = _consult(worker, dt.datetime(2020, 5, 2, 15, tzinfo=tz) + dt.timedelta(days=day), f"終了 {day + 1}")
        intake.handle_in_house(worker, c)
        intake.close_consultation(worker, c, outcome="self", next_step="見守り")
    _consult(worker, dt.datetime(2020, 6, 1, 9, tzinfo=tz), "範囲外 六月")

    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="相談一覧").first.click()
    page.get_by_label("受付日（から）").fill("令和2年5月1日")
    page.get_by_label("受付日（まで）").fill("R2.5.31")
    page.get_by_label("状態").select_option(label="対応中")
    page.get_by_label("表示件数").select_option("25")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_load_state()
    total = page.locator(".list-total").inner_text()
    assert "全 30 件" in total, total
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 25
    assert rows.first.inner_text().count("一覧 30") == 1  # newest first

    # sort by 受付日: oldest first (the header link keeps the filters)
    page.get_by_role("link", name="受付日").click()
    page.wait_for_load_state()
    assert "全 30 件" in page.locator(".list-total").inner_text()
    assert "一覧 01" in rows.first.inner_text()
    page.get_by_role("link", name="次へ").click()
    page.wait_for_load_state()
    assert "2 / 2 ページ" in page.locator("nav.pager").inner_text()
    assert rows.count() == 5
    assert "一覧 26" in rows.first.inner_text() and "一覧 30" in rows.last.inner_text()
    assert "終了" not in page.locator("table.list").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="相談台帳（CSV）").click()
    data = open(download.value.path(), encoding="utf-8-sig").read()
    exported = list(csv.reader(io.StringIO(data)))
    assert exported[0][:3] == ["番号", "受付日", "本人"]
    names = [r[2] for r in exported[1:]]
    assert names == [f"一覧 {n:02d}" for n in range(1, 31)]  # all pages, as filtered and sorted
    assert exported[1][1] == "令和2年5月1日"
