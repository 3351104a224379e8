"""Issue 13: the daily work of municipal staff, from login, as a worker does it (points 1 and 3).

1. The receiver's work: agency B accepts a referral, lands on its own record of it, writes 支援経過 there and
   hands the case to 多機関協働; 今日やること shows what it holds.
3. Meetings as held: the coordinator schedules a 重層的支援会議 with an item, cannot decide it before the meeting
   is held, prints the 次第, records the meeting held with attendance, and decides the item with its minutes —
   the decision dated with the meeting.
"""

import pytest
from django.core.management import call_command

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    from io import StringIO

    call_command("demo", households=20, stdout=StringIO())


def logout(page):
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/accounts/login/")


def test_the_receiver_accepts_writes_progress_and_escalates(page, demo):
    from tsunagu.directory.models import Agency, Staff
    from tsunagu.intake import services as intake
    from tsunagu.intake.models import Consultation

    from ..intake_fixtures import record

    window = Staff.objects.get(username="imizu.madoguchi")
    shogai = Agency.objects.get(municipality=window.municipality, name="あいネットいみず")
    c = record(window, name="受理 試験", consent_all=True)
    referral = intake.refer_consultation(window, c, to_agency=shogai, message="障害福祉サービスの相談をお願いします")

    login(page, "imizu.shogai", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="受信トレイ").click()
    page.get_by_role("row").filter(has_text="受理 試験").get_by_role("link").first.click()
    page.get_by_role("button", name="受理する").click()
    page.get_by_text("つなぎを受理しました。").wait_for()
    # Landed on the agency's own record of the referral.
    own = Consultation.objects.get(source_referral=referral)
    page.wait_for_url(f"**/intake/{own.pk}/")
    assert "を受理して作られた、この機関の記録です" in page.content()
    assert "受理 試験" in page.content()

    note_form = page.locator("form[action$='/notes/']")
    note_form.get_by_label("種類").select_option(label="訪問")
    note_form.get_by_label("支援経過の内容").fill("自宅を訪問し、本人と母に会えた。サービス利用を検討中。")
    note_form.get_by_role("button", name="記録する").click()
    page.get_by_text("支援経過を記録しました。").wait_for()
    assert "サービス利用を検討中" in page.content()

    # A note without its content is refused in Japanese, naming the field; nothing is written.
    note_form = page.locator("form[action$='/notes/']")
    note_form.get_by_label("種類").select_option(label="電話")
    note_form.get_by_role("button", name="記録する").click()
    page.get_by_text("支援経過の内容を入力してください").first.wait_for()
    assert own.notes.count() == 1

    page.goto(f"/intake/{own.pk}/")
    escalate = page.locator("form[action$='/escalate/']")
    escalate.get_by_label("多機関協働へ引き継ぐ理由").fill("家族全体の複合的な課題のため、多機関協働をお願いします")
    escalate.get_by_role("button", name="多機関協働へ").click()
    page.get_by_text("多機関協働へ引き継ぎました。").wait_for()

    page.get_by_role("link", name="今日やること").click()
    section = page.locator("section").filter(has_text="対応中の相談")
    assert "受理 試験" in section.inner_text() and "つなぎを受理" in section.inner_text()
    logout(page)

    # The coordinator receives the hand-over from B's record.
    login(page, "imizu.coord", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="受信トレイ").click()
    page.get_by_role("row").filter(has_text="受理 試験").get_by_role("link").first.click()
    page.get_by_role("button", name="事例として受け付ける").click()
    page.get_by_text("多機関協働の事例として受け付けました").wait_for()


def test_the_coordinator_holds_a_meeting_and_decides(page, demo):
    from tsunagu.casework import services as casework
    from tsunagu.directory.models import Agency, Staff
    from tsunagu.intake import services as intake
    from tsunagu.meetings.models import AgendaItem, Meeting

    from ..casework_fixtures import plan
    from ..intake_fixtures import record

    window = Staff.objects.get(username="imizu.madoguchi")
    coordinator = Staff.objects.get(username="imizu.coord")
    member = Staff.objects.get(username="imizu.shogai")
    shogai = Agency.objects.get(municipality=window.municipality, name="あいネットいみず")
    c = record(window, name="会議 試験", consent_all=True)
    case = casework.open_case(coordinator, referral=intake.escalate_to_multiagency(window, c))
    casework.add_team_member(coordinator, case, agency=shogai, role="障害福祉サービスの調整")
    plan(coordinator, case, shogai, [shogai])

    login(page, "imizu.coord", DEMO_PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("link", name="会議", exact=True).click()
    page.get_by_role("link", name="会議を登録する").click()
    page.get_by_label("会議の種類").select_option(label="重層的支援会議")
    page.get_by_label("会議名").fill("臨時 重層的支援会議")
    page.get_by_label("開催日時").fill("R7.4.10 14:00")
    page.get_by_role("button", name="登録する").click()
    page.get_by_text("会議を登録しました").wait_for()
    meeting = Meeting.objects.get(title="臨時 重層的支援会議")
    for staff in (coordinator, member):
        page.locator("form[action$='/members/']").get_by_label("職員").select_option(value=str(staff.pk))
        page.get_by_role("button", name="構成員に加える").click()
        page.get_by_text("構成員を加えました").wait_for()
    page.get_by_label("目的").select_option(label="プランの適切性の協議")
    page.get_by_label("事例番号").fill(str(case.pk))
    page.get_by_role("button", name="追加する").click()
    page.get_by_text("議題を追加しました").wait_for()

    # Before it is held, no decision: the page says why and offers no decision form.
    assert page.get_by_text("決定は、会議の開催（開催日・出席者）を記録してから入力できます").is_visible()
    assert page.get_by_role("button", name="決定を記録").count() == 0
    assert "開催済みにする" not in page.locator("form[action$='/minutes/']").inner_text()

    # The 次第 prints before the meeting.
    page.get_by_role("link", name="次第を印刷").click()
    page.get_by_role("heading", name="臨時 重層的支援会議 次第").wait_for()
    assert "プランの適切性の協議" in page.content() and "会議 試験" in page.content()
    page.go_back()

    held = page.locator("form[action$='/held/']")
    held.get_by_label("開催日時（実績）").fill("R7.4.10 14:00")
    held.get_by_label(f"{member}", exact=False).check()
    held.get_by_label("議事録（会議全体）").fill("出席者でプラン案を協議した。")
    held.get_by_role("button", name="開催を記録する（開催済みにする）").click()
    page.get_by_text("開催を記録しました").wait_for()
    assert "開催済み" in page.locator("h1").inner_text()
    attendance = page.get_by_role("row").filter(has_text=str(member))
    assert "出席" in attendance.inner_text()
    assert "欠席" in page.get_by_role("row").filter(has_text=f"{coordinator}（").first.inner_text()

    decide = page.locator("form[action$='/decide/']")
    decide.get_by_label("承認").check()
    decide.get_by_label("議事録（この議題）").fill("主担当と役割分担を確認し、承認した。")
    decide.get_by_role("button", name="決定を記録").click()
    page.get_by_text("決定を記録しました").wait_for()
    assert "決定: 承認" in page.content() and "令和7年4月10日" in page.content()
    assert "主担当と役割分担を確認し、承認した。" in page.content()
    item = AgendaItem.objects.get(meeting=meeting)
    meeting.refresh_from_db()
    assert item.decided_at == meeting.held_at

    page.goto(f"/cases/{case.pk}/")
    assert "承認済み（有効）" in page.content()
