"""Browser journey for 添付ファイル (issue 13, point 7): the window that recorded a consultation attaches the signed
同意書 (a scanned PDF) and downloads it again; a file that is not a PDF/JPEG/PNG is refused in Japanese."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCAN = b"%PDF-1.4\n% signed consent form\n%%EOF\n"


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=4, stdout=StringIO())


def test_the_window_attaches_a_signed_consent_form_and_downloads_it(page, demo, tmp_path):
    from tsunagu.attachments.models import Attachment
    from tsunagu.directory.models import Staff
    from tsunagu.intake import services as intake

    worker = Staff.objects.get(username="imizu.madoguchi")
    c = intake.record_consultation(
        worker, new_person={"name": "添付 試子", "kana": "テンプ タメコ", "address": "射水市小島一丁目5番8号"},
        received_at=timezone.now(), channel="来所", consulter_type="本人", chief_complaint="生活費のことで相談したい",
        issue_tags=["債務"], urgency="normal")
    good, bad = tmp_path / "同意書.pdf", tmp_path / "同意書.docx"
    good.write_bytes(SCAN)
    bad.write_bytes(b"PK\x03\x04 a word file")

    login(page, "imizu.madoguchi", DEMO_PASSWORD)
    page.goto(f"/intake/{c.pk}/")
    panel = page.locator("section.attachments")
    assert "添付ファイルはありません" in panel.inner_text()
    panel.get_by_label("ファイル（PDF・JPEG・PNG）").set_input_files(str(bad))
    panel.get_by_role("button", name="添付する").click()
    page.get_by_text("PDF・JPEG・PNG のファイルだけを添付できます").wait_for()
    panel = page.locator("section.attachments")
    panel.get_by_label("ファイル（PDF・JPEG・PNG）").set_input_files(str(good))
    panel.get_by_label("種類").select_option(label="同意書")
    panel.get_by_role("button", name="添付する").click()
    page.get_by_text("ファイルを添付しました。").wait_for()
    with page.expect_download() as info:
        page.locator("section.attachments").get_by_role("link", name="同意書.pdf").click()
    download = info.value
    assert download.suggested_filename == "同意書.pdf"
    assert open(download.path(), "rb").read() == SCAN
    assert Attachment.objects.get().kind == "consent"
