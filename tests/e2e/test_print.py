"""Issue 17: pages staff print (本人, 相談, 事例, 会議の次第・議事録, 一覧) print the record, not the screen — with the
print stylesheet (media=print) the menu, the buttons and the forms that act on the record are not shown, and the
record's content is."""

import re

import pytest
from django.core.management import call_command

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    call_command("demo", households=8, stdout=StringIO())


SHOWN_CONTROLS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, header nav')].filter(e => {
      const r = e.getBoundingClientRect();
      return getComputedStyle(e).visibility !== 'hidden' && r.width > 0 && r.height > 0
        // a record's own text boxes (議事録) print as their text; buttons and action forms never print
        && (e.tagName === 'BUTTON' || !e.closest('main form:not(.card):not(.inline):not(.filters):not([method=get])'));
    }).map(e => e.outerHTML.slice(0, 120))"""


def first_link(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    found = [h for h in hrefs if h and re.fullmatch(pattern, h)]
    assert found, f"{pattern} のリンクがありません"
    return found[0]


def check_print(page, url: str) -> str:
    page.emulate_media(media="screen")
    page.goto(url)
    on_screen = page.evaluate(SHOWN_CONTROLS)
    page.emulate_media(media="print")
    shown = page.evaluate(SHOWN_CONTROLS)
    assert on_screen, f"{url}: 画面では操作部品が見えるはず"  # the check would see them if they were printed
    assert shown == [], f"{url}: 印刷に操作部品が出ています: {shown[:5]}"
    assert page.locator("main h1").first.is_visible()
    text = page.locator("main").inner_text()
    page.emulate_media(media="screen")
    return text


def test_records_and_lists_print_without_menus_buttons_or_action_forms(page, demo):
    from tsunagu.casework import services as casework
    from tsunagu.directory.models import Staff
    from tsunagu.intake import services as intake

    from ..intake_fixtures import record

    window = Staff.objects.get(username="imizu.madoguchi")
    c = record(window, name="印刷 太郎", consent_all=True)
    case = casework.open_case(Staff.objects.get(username="imizu.coord"),
                              referral=intake.escalate_to_multiagency(window, c))

    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert "印刷 太郎" in check_print(page, "/intake/")
    text = check_print(page, f"/intake/{c.pk}/")
    assert c.chief_complaint in text.replace("\n", "")  # the record itself is printed
    assert "印刷 太郎" in check_print(page, f"/people/{c.person_id}/")
    page.get_by_role("button", name="ログアウト").click()

    login(page, "imizu.coord", DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert case.title in check_print(page, "/cases/")
    assert case.title in check_print(page, f"/cases/{case.pk}/")
    check_print(page, "/meetings/")
    page.goto("/meetings/")
    meeting = check_print(page, first_link(page, r"/meetings/\d+/"))
    assert "議題" in meeting or "次第" in meeting
