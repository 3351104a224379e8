"""Browser journeys of issue 13, points 4 and 5, from login: the city's administrator creates a staff member, moves
one at the 人事異動 and hands a window worker's open consultations to a successor; the manager enters a monthly
actual and a target and adds a place."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "shin-nin-no-pass-2026"


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    call_command("demo", households=20, stdout=StringIO())


def test_admin_creates_staff_moves_one_and_hands_consultations_over(page, demo):
    from tsunagu.directory.models import Agency, Role, Staff
    from tsunagu.intake.models import Consultation

    open_ones = Consultation.objects.filter(municipality__name="射水市", status__in=["open", "referred"],
                                            received_by__roles__kind="intake")
    window = Staff.objects.get(pk=open_ones.order_by("received_by_id").values_list("received_by", flat=True)[0])
    held = open_ones.filter(received_by=window).count()
    assert held > 0
    intake_role = Role.objects.get(municipality=window.municipality, kind="intake", active=True)
    other = Agency.objects.get(municipality=window.municipality, name__contains="あいネット")

    login(page, "imizu.admin", DEMO_PASSWORD)
    page.get_by_role("link", name="職員の登録").click()
    page.get_by_label("ユーザー名（ログインID）").fill("imizu.shinnin")
    page.get_by_label("氏名").fill("新任 窓口")
    page.get_by_label("所属機関").select_option(label=window.agency.name)
    page.get_by_label("役割").select_option(label=intake_role.name)
    page.get_by_label("初期パスワード（初回ログイン時に本人が変更します）").fill("password")
    page.get_by_role("button", name="登録する").click()
    assert "このパスワードは一般的すぎます" in page.locator(".form-errors").inner_text()
    page.get_by_label("初期パスワード（初回ログイン時に本人が変更します）").fill("shoki-pass-7Tq!zr")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("職員を登録しました").wait_for()
    assert page.locator("#current-agency").inner_text() == window.agency.name

    # The leaving window worker's open consultations go to the new colleague; then the 人事異動 moves her.
    page.get_by_role("link", name="← 職員アカウント").click()
    page.get_by_role("link", name=window.username, exact=True).click()
    assert f"相談 {held}件" in page.locator("#held-work").inner_text()
    page.get_by_label("後任").select_option(label=f"新任 窓口（{window.agency.name}）")
    page.get_by_role("button", name="後任に引き継ぐ").click()
    page.get_by_text(f"相談 {held}件を引き継ぎました").wait_for()
    assert "相談 0件" in page.locator("#held-work").inner_text()

    page.get_by_label("発令日").fill(f"R{timezone.localdate().year - 2018}.{timezone.localdate().month}."
                                   f"{timezone.localdate().day}")
    page.get_by_label("異動後の所属機関").select_option(label=other.name)
    page.get_by_label("異動後の役割").select_option(label=intake_role.name)
    page.get_by_label("備考").fill("4月の人事異動")
    page.get_by_role("button", name="異動を登録する").click()
    page.get_by_text("人事異動を登録しました").wait_for()
    assert page.locator("#current-agency").inner_text() == other.name
    assert "4月の人事異動" in page.locator("#transfers").inner_text()
    page.get_by_role("link", name="← 職員アカウント").click()
    assert "新任 窓口" in page.locator("#roles-held").inner_text()
    page.get_by_role("button", name="ログアウト", exact=True).click()
    page.wait_for_url("**/accounts/login/")

    # The new colleague must change the initial password, then finds the consultations handed over.
    login(page, "imizu.shinnin", "shoki-pass-7Tq!zr")
    page.wait_for_url("**/accounts/password/**")
    page.get_by_label("元のパスワード").fill("shoki-pass-7Tq!zr")
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード(確認用)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="変更する").click()
    page.get_by_text("パスワードを変更しました").wait_for()
    page.get_by_role("link", name="相談一覧").click()
    assert page.locator("table tbody tr").count() >= held


def test_manager_enters_a_monthly_actual_and_a_target_and_adds_a_place(page, demo):
    from tsunagu.evaluation.models import KpiDefinition, KpiTarget, ManualActual

    kpi = KpiDefinition.objects.get(municipality__name="射水市", code="hyakusai-taiso-group")
    login(page, "imizu.manager", DEMO_PASSWORD)
    page.get_by_role("link", name="目標と実績の入力").click()
    page.locator("#id_fy").select_option(label="令和7年度")
    page.get_by_role("button", name="表示").click()
    assert "未集計の指標: 0件" in page.locator("#missing-count").inner_text()  # the demo entered the rest

    page.locator("#id_actual_kpi").select_option(label=kpi.name)
    page.locator("#id_actual_fiscal_year").select_option(label="令和7年度")
    page.locator("#id_actual_month").select_option(label="4月")
    page.locator("#id_actual_value").press_sequentially("12")
    page.locator("#id_actual_note").fill("介護保険課の集計")
    page.get_by_role("button", name="実績を保存する").click()
    page.get_by_text("実績を保存しました").wait_for()
    assert "4月: 12" in page.locator(f"#kpi-{kpi.code}").inner_text()
    assert "管理 直人" in page.locator(f"#kpi-{kpi.code}").inner_text()

    page.locator("#id_target_kpi").select_option(label=kpi.name)
    page.locator("#id_target_fiscal_year").select_option(label="令和9年度")
    page.locator("#id_target_target").press_sequentially("abc")  # a number box takes no letters
    page.locator("#id_target_target").press_sequentially("45")
    page.get_by_role("button", name="目標を保存する").click()
    page.get_by_text("目標を保存しました").wait_for()
    assert "令和9年度" in page.locator("h1").inner_text()
    assert "45" in page.locator(f"#kpi-{kpi.code}").inner_text()
    assert KpiTarget.objects.get(kpi=kpi, fiscal_year=2027).target == 45
    assert ManualActual.objects.get(kpi=kpi, fiscal_year=2025, month=4).value == 12

    page.get_by_role("link", name="拠点の登録").click()
    page.get_by_label("名称").fill("本町いきいきサロン")
    page.get_by_label("種類（例: 通いの場、サロン、居場所）").fill("サロン")
    page.get_by_label("地区").select_option(index=1)
    page.get_by_label("運営主体").fill("本町自治会")
    page.get_by_label("開設日").fill("令和8年4月1日")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("拠点を登録しました").wait_for()
    assert "本町いきいきサロン" in page.locator("h1").inner_text()
    page.get_by_role("link", name="← 地区別の状況").click()
    assert page.get_by_role("link", name="本町いきいきサロン").count() == 1
