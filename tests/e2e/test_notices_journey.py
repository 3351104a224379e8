"""Browser journey for お知らせ (issue 13, point 8): a window refers a consultation; the receiving agency's worker
sees the unread count, opens the notice and lands on the referral; the notice names no person."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=4, stdout=StringIO())


def test_the_receiver_is_told_of_a_referral_and_opens_it(page, demo):
    from tsunagu.directory.models import Staff
    from tsunagu.intake import services as intake
    from tsunagu.notices.models import Notice

    sender, receiver = Staff.objects.get(username="imizu.madoguchi"), Staff.objects.get(username="imizu.shogai")
    Notice.objects.filter(recipient=receiver).update(read_at=timezone.now())  # start from nothing unread
    c = intake.record_consultation(
        sender, new_person={"name": "通知 試子", "kana": "ツウチ タメコ", "address": "射水市小島一丁目5番8号"},
        received_at=timezone.now(), channel="来所", consulter_type="本人", chief_complaint="障がいのことで相談したい",
        issue_tags=["障がい"], urgency="normal",
        consent={"scope_all_agencies": True, "scope_agencies": [], "purposes": ["関係機関へのつなぎ"],
                 "method": "書面", "obtained_on": timezone.localdate()})
    referral = intake.refer_consultation(sender, c, to_agency=receiver.agency, message="相談支援をお願いします")

    login(page, "imizu.shogai", DEMO_PASSWORD)
    page.wait_for_url("**/")
    link = page.locator("header").get_by_role("link", name="お知らせ 1")
    link.click()
    page.get_by_role("heading", name="お知らせ").wait_for()
    row = page.get_by_role("row").filter(has_text=f"つなぎ #{referral.pk} を受け取りました")
    assert "未読" in row.inner_text() and "通知" not in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    assert page.locator("header").get_by_role("link", name="お知らせ", exact=True).is_visible()  # nothing unread
