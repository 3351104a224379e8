"""Issue 17, keyboard-first intake: the 対応 section of the intake form sends the つなぎ in the same step, with
the つなぎ先 pre-selected from the address (the agency the address lookup names as responsible)."""

import pytest

from tsunagu.intake.models import Consultation, Referral
from tsunagu.people.models import Person

from .conftest import agency_named

pytestmark = pytest.mark.django_db

BASE = {"name": "渡邊 次郎", "kana": "わたなべ じろう", "address": "射水市南太閤山3丁目2番地1",
        "received_at": "令和8年11月20日 10:30", "channel": "来所", "consulter_type": "本人",
        "chief_complaint": "母の介護で仕事を続けられない", "urgency": "normal", "with_consent": "no"}


def test_the_responsible_agency_is_pre_selected_from_the_address_as_it_is_typed(client, intake_a, imizu):
    client.force_login(intake_a)
    response = client.get("/intake/new/", {"part": "refer", "address": "射水市南太閤山3丁目2番地1",
                                           "issue_tags": ["介護"]}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    kosugi = agency_named(imizu, "小杉南地域包括")  # the 地域包括 of 南太閤山 (see the address lookup)
    assert response.status_code == 200 and f'<option value="{kosugi.pk}" selected>' in body
    # Never the worker's own agency, and nothing chosen for an address of another city.
    other = client.get("/intake/new/", {"part": "refer", "address": "東京都千代田区1-1"}, HTTP_HX_REQUEST="true")
    assert " selected>" not in other.content.decode().replace('value="" selected>', "")
    assert f'value="{intake_a.agency_id}"' not in body


def test_intake_can_refer_in_the_same_step(client, intake_a, staff_b):
    client.force_login(intake_a)
    response = client.post("/intake/new/", {**BASE, "refer_now": "on", "to_agency": staff_b.agency_id,
                                            "refer_message": "障害福祉サービスの利用を相談したい",
                                            "statutory_basis": "vital"})
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get()
    assert referral.to_agency == staff_b.agency and referral.message == "障害福祉サービスの利用を相談したい"
    assert referral.consultation.status == "referred"


def test_a_referral_that_cannot_be_sent_leaves_nothing_half_written(client, intake_a, staff_b):
    client.force_login(intake_a)
    # 本人同意なし and no statutory basis: the service refuses the つなぎ, so the consultation is not kept either.
    response = client.post("/intake/new/", {**BASE, "refer_now": "on", "to_agency": staff_b.agency_id})
    body = response.content.decode()
    assert response.status_code == 200 and "法令上の根拠を選んでください" in body
    assert 'value="渡邊 次郎"' in body
    missing = client.post("/intake/new/", {**BASE, "refer_now": "on"})
    assert "つなぎ先を選んでください。" in missing.content.decode()
    assert Consultation.objects.count() == 0 and Person.objects.count() == 0 and Referral.objects.count() == 0


def test_without_asking_for_it_no_referral_is_sent_even_with_an_agency_chosen(client, intake_a, staff_b):
    client.force_login(intake_a)
    response = client.post("/intake/new/", {**BASE, "to_agency": staff_b.agency_id})
    assert response.status_code == 302
    assert Consultation.objects.get().status != "referred" and Referral.objects.count() == 0


def test_the_form_marks_itself_for_keyboard_entry(client, intake_a):
    client.force_login(intake_a)
    body = client.get("/intake/new/").content.decode()
    assert "data-keyboard-form" in body and 'accesskey="s"' in body and "tsunagu/keys.js" in body
    # The order a worker asks in: 本人 → 相談の内容 → 世帯 → 同意 → 対応.
    marks = ["<legend>本人</legend>", "<legend>相談の内容</legend>", "<legend>世帯員", "<legend>本人同意",
             "<legend>対応</legend>", "受け付ける"]
    positions = [body.index(m) for m in marks]
    assert positions == sorted(positions)
