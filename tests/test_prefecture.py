"""Prefecture statistics: aggregated, small counts suppressed, identifying files refused, no case data."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tsunagu.core.errors import DomainError
from tsunagu.evaluation.models import KpiDefinition, PrefectureStat
from tsunagu.evaluation.prefecture import export_stats, import_stats

from .casework_fixtures import escalated_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def nagahama_file(imizu, intake_a, coordinator):
    """射水市's real export, relabelled as 長浜市 (a 滋賀県 member) so the prefecture can import it."""
    escalated_case(intake_a, coordinator)  # one case → a count of 1, which must be suppressed
    from django.utils import timezone

    from tsunagu.core.wareki import fiscal_year_of

    data = json.loads(export_stats(imizu, fiscal_year_of(timezone.localdate())))
    data["municipality"] = {"name": "長浜市"}
    return data


def test_export_suppresses_small_counts(nagahama_file):
    figure = next(f for f in nagahama_file["figures"] if f["code"] == "tak-soudan-uketsuke")
    assert figure["value"] == "<3"
    assert "person" not in json.dumps(nagahama_file) and "高橋" not in json.dumps(nagahama_file, ensure_ascii=False)


def test_prefecture_imports_and_sees_the_table(client, shiga, prefecture_user, nagahama_file):
    member, count = import_stats(shiga, json.dumps(nagahama_file).encode())
    assert member.name == "長浜市" and count == len(nagahama_file["figures"])
    stat = PrefectureStat.objects.get(member=member, code="tak-soudan-uketsuke")
    assert stat.suppressed and stat.display == "<3"
    client.force_login(prefecture_user)
    body = client.get("/prefecture/", {"fy": nagahama_file["fiscal_year"]}).content.decode()
    assert "長浜市" in body and "&lt;3" in body and "<svg" in body


def test_import_refuses_identifying_fields(shiga, nagahama_file):
    bad = dict(nagahama_file, persons=[{"氏名": "高橋 一郎"}])
    bad["figures"] = [dict(nagahama_file["figures"][0], address="射水市放生津町")] + nagahama_file["figures"][1:]
    with pytest.raises(DomainError) as exc:
        import_stats(shiga, json.dumps(bad, ensure_ascii=False).encode())
    assert "persons: 個人を識別できる項目は取り込めません" in exc.value.message
    assert "figures[0].address: 個人を識別できる項目は取り込めません" in exc.value.message
    assert PrefectureStat.objects.count() == 0


def test_import_refuses_unsuppressed_small_counts(shiga, nagahama_file):
    nagahama_file["figures"][0]["value"] = 2
    with pytest.raises(DomainError, match=r"figures\[0\]\.value: 3未満の件数（2）は「<3」として秘匿してください"):
        import_stats(shiga, json.dumps(nagahama_file).encode())
    assert PrefectureStat.objects.count() == 0


def test_import_refuses_unknown_municipality_and_bad_json(shiga, nagahama_file):
    nagahama_file["municipality"]["name"] = "東京都千代田区"
    with pytest.raises(DomainError, match="管内市町村として登録されていません"):
        import_stats(shiga, json.dumps(nagahama_file).encode())
    with pytest.raises(DomainError, match="JSON として読めません"):
        import_stats(shiga, b"{not json")


def test_upload_page_shows_clear_errors(client, shiga, prefecture_user, nagahama_file):
    nagahama_file["figures"][0]["value"] = 1
    client.force_login(prefecture_user)
    upload = SimpleUploadedFile("stats.json", json.dumps(nagahama_file).encode(), content_type="application/json")
    body = client.post("/prefecture/", {"file": upload}, follow=True).content.decode()
    assert "3未満の件数（1）は「&lt;3」として秘匿してください" in body


def test_prefecture_user_sees_no_case_data(client, prefecture_user, intake_a, coordinator):
    case = escalated_case(intake_a, coordinator)
    client.force_login(prefecture_user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/people/{case.person_id}/").status_code == 404
    assert client.get("/cases/").status_code == 403
    assert client.get("/evaluation/").status_code == 403


def test_only_prefecture_staff_use_the_prefecture_page(client, manager):
    client.force_login(manager)
    assert client.get("/prefecture/").status_code == 403


def test_stats_commands(tmp_path, imizu, shiga, intake_a, coordinator):
    escalated_case(intake_a, coordinator)
    out = tmp_path / "imizu.json"
    call_command("stats", "export", "--municipality", "162116", "--fiscal-year", "2026", "--output", str(out))
    assert json.loads(out.read_text())["format"] == "tsunagu-stats/2"  # figures + common indicators
    with pytest.raises(CommandError, match="管内市町村として登録されていません"):
        call_command("stats", "import", "--prefecture", "250007", str(out))  # 射水市 is not in 滋賀県
    assert KpiDefinition.objects.filter(municipality=shiga).count() == 0


def test_prefecture_records_supporter_consultations_surveys_and_trainings(client, shiga, prefecture_user):
    from tsunagu.directory.models import PrefectureMember
    from tsunagu.evaluation.models import SupporterConsultation, SurveyResult
    from tsunagu.meetings.governance_models import Training

    nagahama = PrefectureMember.objects.get(municipality=shiga, name="長浜市")
    client.force_login(prefecture_user)
    bad = client.post("/prefecture/activities/", {"form": "supporter", "member": nagahama.pk, "topic": ""})
    assert bad.status_code == 400 and "相談内容を入力してください。" in bad.content.decode()
    assert client.post("/prefecture/activities/", {
        "form": "supporter", "member": nagahama.pk, "received_on": "2026-10-01", "consulter_role": "推進員",
        "topic": "支援会議の構成員の選び方"}).status_code == 302
    client.post("/prefecture/activities/", {"form": "survey", "title": "体制の実態調査", "fiscal_year": 2026,
                                            "questions": "多機関協働の担当者数"})
    from tsunagu.evaluation.models import SurveyQuestion

    question = SurveyQuestion.objects.get()
    client.post("/prefecture/activities/", {"form": "result", "question": question.pk, "member": nagahama.pk,
                                            "value": 3, "answer": "相談支援包括化推進員3名"})
    client.post("/prefecture/activities/", {"form": "training", "title": "重層的支援体制 研修会",
                                            "held_on": "2026-09-10", "participants": 42, "members": [nagahama.pk]})
    assert SupporterConsultation.objects.count() == 1 and SurveyResult.objects.get().value == 3
    assert Training.objects.get().members.get() == nagahama
    body = client.get("/prefecture/activities/").content.decode()
    assert "支援会議の構成員の選び方" in body and "相談支援包括化推進員3名" in body and "42人" in body


def test_municipal_staff_cannot_use_prefecture_activities(client, manager):
    client.force_login(manager)
    assert client.get("/prefecture/activities/").status_code == 403
