"""Browser journey of the ledger import (issue 14): the admin uploads the broken sample and reads its problems in
Japanese, then uploads the good 相談台帳 with its mapping, chooses a column, checks it and imports it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tsunagu.core.demo import DEMO_PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ledgers"


@pytest.fixture
def demo(transactional_db):
    call_command("demo", households=10, stdout=StringIO())


def test_admin_imports_a_ledger_after_fixing_what_the_dry_run_found(page, demo):
    from tsunagu.intake.models import Consultation
    from tsunagu.ledgers.models import ImportRun

    before = Consultation.objects.count()
    login(page, "imizu.admin", DEMO_PASSWORD)
    page.get_by_role("link", name="台帳の取り込み").first.click()
    page.get_by_label("台帳の種類").select_option(label="相談")
    page.get_by_label("台帳のファイル（xlsx・CSV）").set_input_files(str(SAMPLES / "consultations-broken.csv"))
    page.get_by_role("button", name="読み込む").click()
    page.wait_for_url("**/ledgers/import/*/")
    page.get_by_role("button", name="確認する（取り込みません）").click()
    result = page.locator("#run-result")
    result.wait_for()
    assert "何も取り込んでいません" in result.inner_text()
    errors = page.locator("#run-errors").inner_text()
    for expected in ("必須の列「相談経路」がありません", "存在しない日付", "新湊南地域包括支援センター",
                     "2行目と同じ行です（重複）", "7行目"):
        assert expected in errors
    assert Consultation.objects.count() == before

    page.get_by_role("link", name="台帳の取り込み").first.click()
    page.get_by_label("台帳の種類").select_option(label="相談")
    page.get_by_label("台帳のファイル（xlsx・CSV）").set_input_files(str(SAMPLES / "consultations-r6-shinminato-nishi.xlsx"))
    page.get_by_label("列の対応表（YAML、任意）").set_input_files(str(SAMPLES / "consultations-mapping.yaml"))
    page.get_by_role("button", name="読み込む").click()
    page.wait_for_url("**/ledgers/import/*/")
    page.locator("#col_detail").select_option(label="備考")  # the column chosen on screen
    page.get_by_role("button", name="確認する（取り込みません）").click()
    page.locator("#run-result").wait_for()
    assert "8 行のうち 8 件を取り込めます" in page.locator("#run-result").inner_text()
    assert Consultation.objects.count() == before
    page.get_by_role("button", name="取り込む").click()
    page.locator("#run-status", has_text="取り込み完了").wait_for()  # after the progress bar
    text = page.locator("#run-result").inner_text()
    assert "新規 8 件" in text and "名寄せの確認待ち" in text
    assert Consultation.objects.count() == before + 8
    run = ImportRun.objects.latest("id")
    assert run.status == ImportRun.DONE and run.mapping["columns"]["detail"] == "備考"
