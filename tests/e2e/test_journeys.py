import pytest
from django.core.management import call_command

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    call_command("demo", stdout=StringIO())


def test_demo_user_logs_in_sees_program_and_logs_out(page, demo):
    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "いみず・みんなで・つながっと(good)事業"
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "新湊西地域包括支援センター" in page.content()
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="tsunagu にログイン").is_visible()


def test_wrong_password_shows_a_japanese_error(page, demo):
    login(page, "imizu.madoguchi", "wrong-password")
    assert page.get_by_role("alert").inner_text().startswith("ユーザー名またはパスワードが正しくありません")


def test_address_lookup_updates_in_place(page, demo):
    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="住所から担当を探す").click()
    page.get_by_label("住所").fill("射水市南太閤山3丁目2番地1")
    page.get_by_role("button", name="担当を探す").click()
    page.locator("#lookup-result").get_by_text("小杉南地域包括支援センター").wait_for()
    assert "南太閤山地区" in page.locator("#lookup-result").inner_text()
