"""Issue 17: the intake form by keyboard only — Tab stops counted to 受け付ける (budget ≤ 40), Enter in a text
field never sends a half-filled form, and the つなぎ先 is pre-selected from the address."""

import pytest
from django.core.management import call_command

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TAB_BUDGET = 40
ADDRESS = "射水市南太閤山3丁目2番地1"  # 南太閤山地区: its 地域包括 is 小杉南地域包括支援センター


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    call_command("demo", households=5, stdout=StringIO())


def open_intake(page):
    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.goto("/intake/new/")
    page.wait_for_function("document.querySelector('form[data-keyboard-form]').dataset.keyboardReady === '1'")


class Keyboard:
    """Moves through the form with Tab only, counting the presses."""

    def __init__(self, page):
        self.page, self.tabs = page, 0

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector)

    def tab_to(self, selector: str, limit: int = 12) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            self.tabs += 1
            if self.focused(selector):
                return
        where = self.page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
        raise AssertionError(f"{selector} not reached by Tab (focus is on {where})")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def test_enter_in_a_text_field_does_not_send_the_form(page, demo):
    from tsunagu.intake.models import Consultation

    open_intake(page)
    page.get_by_label("氏名", exact=True).fill("鍵盤 太郎")
    page.get_by_label("氏名", exact=True).press("Enter")
    page.get_by_label("住所", exact=True).fill(ADDRESS)
    page.get_by_label("住所", exact=True).press("Enter")
    page.wait_for_timeout(500)
    assert page.url.endswith("/intake/new/")
    assert page.locator(".errorlist").count() == 0  # not sent: no "主訴を入力してください"
    assert page.get_by_label("氏名", exact=True).input_value() == "鍵盤 太郎"
    # Enter in a textarea is a new line.
    complaint = page.get_by_label("主訴")
    complaint.fill("一行目")
    complaint.press("End")
    complaint.press("Enter")
    page.keyboard.type("二行目")
    assert complaint.input_value() == "一行目\n二行目"
    assert not Consultation.objects.filter(person__name="鍵盤 太郎").exists()


def test_the_responsible_agency_is_pre_selected_for_a_known_address(page, demo):
    open_intake(page)
    page.get_by_label("住所", exact=True).fill(ADDRESS)
    page.get_by_label("住所", exact=True).press("Tab")  # leaving the box is the change the echo answers
    page.get_by_label("介護", exact=True).check()
    page.locator("summary", has_text="受付と同時に他機関へつなぐ").click()
    select = page.locator("#refer-agency select")
    page.wait_for_function(
        "() => { const s = document.querySelector('#refer-agency select');"
        " return s && s.selectedOptions[0] && s.selectedOptions[0].text.includes('小杉南地域包括支援センター'); }")
    assert "小杉南地域包括支援センター" in select.evaluate("s => s.selectedOptions[0].text")


def test_the_common_intake_is_done_by_keyboard_within_the_tab_budget(page, demo):
    from tsunagu.intake.models import Consultation

    open_intake(page)
    page.focus("#id_lookup")  # the first field of the form
    k = Keyboard(page)
    k.tab_to("#id_name"); k.type("鍵盤 太郎")  # noqa: E702 — one line per field, as the worker goes
    k.tab_to("#id_kana"); k.type("けんばん たろう")  # noqa: E702
    k.tab_to("#id_birth_date"); k.type("S50.5.5")  # noqa: E702
    k.tab_to("#id_address"); k.type(ADDRESS)  # noqa: E702
    k.tab_to("input[name=channel]"); page.keyboard.press("Space")  # noqa: E702 — 来所 (the first)
    k.tab_to("input[name=consulter_type]"); page.keyboard.press("ArrowRight")  # noqa: E702 — 家族
    k.tab_to("#id_chief_complaint"); k.type("80代の母と50代の本人の二人暮らし。本人が長年ひきこもっている。")  # noqa: E702
    k.tab_to("input[name=issue_tags]")
    for _ in range(5):  # 介護 → 障がい → 子育て → 生活困窮 → ひきこもり → 8050, by arrow keys
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    k.tab_to("#id_member1_name"); k.type("鍵盤 花子")  # noqa: E702
    k.tab_to("#id_member1_relation")
    for _ in range(3):  # — → 配偶者 → 父 → 母
        page.keyboard.press("ArrowDown")
    k.tab_to("input[name=member1_care_roles]"); page.keyboard.press("Space")  # noqa: E702 — 要介護
    k.tab_to("input[name=with_consent]"); page.keyboard.press("ArrowLeft")  # noqa: E702 — 本人同意あり
    k.tab_to("#id_consent_scope_all"); page.keyboard.press("Space")  # noqa: E702
    k.tab_to("#id_consent_method"); page.keyboard.press("ArrowDown")  # noqa: E702 — 書面
    k.tab_to("button[type=submit].primary")
    print(f"Tab stops from the first field to 受け付ける: {k.tabs}")
    assert k.tabs <= TAB_BUDGET
    page.keyboard.press("Enter")  # on the button: this one sends
    page.get_by_text("相談を受け付けました").wait_for()

    c = Consultation.objects.select_related("person").get(person__name="鍵盤 太郎")
    assert c.channel == "来所" and c.consulter_type == "家族" and c.issue_tags == ["8050"]
    assert c.person.address == ADDRESS and c.with_consent and c.consents.get().method == "書面"
    members = {m.person.name: m for m in c.household.members.select_related("person")}
    assert members["鍵盤 花子"].relation == "母" and members["鍵盤 花子"].care_roles == ["要介護"]


def test_ctrl_enter_saves_the_form(page, demo):
    open_intake(page)
    page.get_by_label("氏名", exact=True).fill("鍵盤 次郎")
    page.get_by_label("来所").check()
    page.get_by_label("本人", exact=True).check()
    page.get_by_label("主訴").fill("家賃が払えない")
    page.get_by_label("主訴").press("Control+Enter")
    page.get_by_text("相談を受け付けました").wait_for()
