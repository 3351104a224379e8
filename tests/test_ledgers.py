"""Ledger import (issue 14.3–4): the sample ledgers, the dry-run report, all-or-nothing, idempotence, 名寄せ,
the import screen; the HSDS export (14.5) in tests/test_hsds.py."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tsunagu.community.models import Place
from tsunagu.identity.models import IdentityLink, MatchCandidate
from tsunagu.intake import services as intake
from tsunagu.intake.models import Consultation, Referral
from tsunagu.ledgers.models import ImportedRow, ImportRun
from tsunagu.participation.models import Resource
from tsunagu.people.models import Household, HouseholdMember, Person
from tsunagu.privacy.models import AuditEvent

from .conftest import agency_named

SAMPLES = Path(__file__).resolve().parent.parent / "examples" / "ledgers"
GOOD = SAMPLES / "consultations-r6-shinminato-nishi.xlsx"
MAPPING = SAMPLES / "consultations-mapping.yaml"
BROKEN = SAMPLES / "consultations-broken.csv"
MODELS = (Person, Household, HouseholdMember, Consultation, Referral, Place, Resource, ImportedRow, MatchCandidate,
          IdentityLink)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def ledger_world(imizu, make_staff, sysadmin):
    nishi = agency_named(imizu, "新湊西地域包括")
    worker = make_staff(imizu, "imizu.madoguchi", "intake", nishi, "窓口 花子")
    return {"m": imizu, "nishi": nishi, "worker": worker, "admin": sysadmin}


def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_it_reports_exactly_the_expected_problems_of_the_broken_sample_and_changes_nothing(ledger_world):
    before = counts()
    code, out, err = run_cli("consultations", str(BROKEN), "--municipality", "162116", "--dry-run")
    assert code == 1
    report = [line for line in out.splitlines() if re.match(r"(見出し|[0-9]+行目)", line)]
    assert report == (SAMPLES / "broken-report.txt").read_text(encoding="utf-8").splitlines()
    assert "何も取り込んでいません" in err
    assert counts() == before
    # Without --dry-run the broken file imports nothing either.
    code, _, _ = run_cli("consultations", str(BROKEN), "--municipality", "162116")
    assert code == 1 and counts() == before


def test_the_broken_report_names_every_kind_of_problem_the_issue_lists():
    report = (SAMPLES / "broken-report.txt").read_text(encoding="utf-8")
    assert "必須の列「相談経路」がありません" in report  # missing required column
    assert "3行目 受付日" in report and "存在しない日付" in report  # bad date (令和6年2月30日)
    assert "平成の期間外" in report  # 平成元年1月1日 is before 平成 began (1月8日)
    assert "4行目 受付機関" in report and "新湊南地域包括支援センター" in report  # unknown agency
    assert "7行目: 2行目と同じ行です（重複）" in report  # duplicate row


def test_the_good_sample_dry_runs_then_imports_once(ledger_world):
    before = counts()
    code, out, _ = run_cli("consultations", str(GOOD), "--mapping", str(MAPPING), "--municipality", "162116",
                           "--dry-run")
    assert code == 0, out
    assert "8 行のうち 8 件を取り込めます" in out and "8 / 8 行" in out
    assert counts() == before

    code, out, _ = run_cli("consultations", str(GOOD), "--mapping", str(MAPPING), "--municipality", "162116")
    assert code == 0, out
    nishi = ledger_world["nishi"]
    rows = Consultation.objects.filter(municipality=ledger_world["m"]).order_by("received_at")
    assert rows.count() == 8
    assert {c.agency_id for c in rows} == {nishi.pk}
    assert {c.received_by_id for c in rows} == {ledger_world["worker"].pk}
    first = rows[0]
    assert timezone.localtime(first.received_at).date() == dt.date(2024, 4, 3)  # R6.4.3
    assert first.channel == "電話" and first.consulter_type == "家族"  # TEL / 長男 through the mapping's values
    assert first.chief_complaint.startswith("物忘れが増え") and first.detail == "長男は県外在住。月1回帰省"
    assert first.person.name == "海野 トメ" and first.person.birth_date == dt.date(1940, 5, 1)  # 昭和15年5月1日
    assert first.person.municipality_id == ledger_world["m"].pk and first.person.recorded_by_agency_id == nishi.pk
    second = rows[1]
    assert timezone.localtime(second.received_at).date() == dt.date(2024, 4, 10)  # a date cell
    assert second.person.birth_date == dt.date(1953, 11, 3)  # S28.11.3
    assert rows[2].urgency == "high" and rows[2].issue_tags == ["介護", "孤立"]
    # A person in several rows of the ledger is one record of the agency, not one per consultation.
    assert Person.objects.filter(name="海野 トメ").count() == 1
    assert Person.objects.filter(municipality=ledger_world["m"]).count() == 6
    assert AuditEvent.objects.filter(action="ledger.imported").count() == 1
    assert AuditEvent.objects.filter(action="consultation.created").count() == 8

    after = counts()
    code, out, _ = run_cli("consultations", str(GOOD), "--mapping", str(MAPPING), "--municipality", "162116")
    assert code == 0 and "変化なし 8 件" in out
    assert counts() == after


def test_imported_persons_land_in_the_review_queue_and_are_never_merged(ledger_world, make_staff, imizu):
    other = make_staff(imizu, "kodomo", "intake", agency_named(imizu, "こども家庭センター"))
    intake.record_consultation(
        other, new_person={"name": "海野 とめ", "kana": "ウミノ トメ", "birth_date": dt.date(1940, 5, 1),
                           "address": "射水市放生津町3番12号"},
        received_at=timezone.now(), channel="来所", consulter_type="本人", chief_complaint="見守り")
    existing = Person.objects.get(name="海野 とめ")
    code, out, _ = run_cli("consultations", str(GOOD), "--mapping", str(MAPPING), "--municipality", "162116")
    assert code == 0, out
    imported = Person.objects.get(name="海野 トメ")
    a, b = sorted((existing.pk, imported.pk))
    assert MatchCandidate.objects.filter(person_a_id=a, person_b_id=b, status=MatchCandidate.OPEN).exists()
    assert not IdentityLink.objects.exists()


def test_persons_with_households_from_a_utf8_bom_csv(ledger_world):
    code, out, _ = run_cli("persons", str(SAMPLES / "persons-households.csv"), "--municipality", "162116")
    assert code == 0, out
    households = Household.objects.filter(municipality=ledger_world["m"])
    assert households.count() == 2
    takaoka = Person.objects.get(name="高岡 一男")
    member = HouseholdMember.objects.get(person=takaoka)
    assert member.relation == "子" and takaoka.birth_date == dt.date(1972, 3, 3)
    assert set(member.household.members.values_list("person__name", flat=True)) == {"高岡 ハナ", "高岡 一男"}
    assert Person.objects.get(name="新田 ゆり").birth_date == dt.date(1990, 8, 8)  # H2.8.8
    before = counts()
    assert run_cli("persons", str(SAMPLES / "persons-households.csv"), "--municipality", "162116")[0] == 0
    assert counts() == before


def test_places_and_resources(ledger_world, manager):
    assert run_cli("places", str(SAMPLES / "places.csv"), "--municipality", "162116")[0] == 0
    place = Place.objects.get(code="ib-002")
    assert place.district.name == "港町" and place.opened_on == dt.date(2020, 6, 1) and place.municipality_id
    # The catalog is written by create_resource, which only the participation / community roles and managers may do.
    code, out, _ = run_cli("resources", str(SAMPLES / "resources.csv"), "--municipality", "162116")
    assert code == 1 and "社会資源を登録できるのは" in out and not Resource.objects.exists()
    code, out, _ = run_cli("resources", str(SAMPLES / "resources.csv"), "--municipality", "162116",
                           "--as", manager.username)
    assert code == 0, out
    r = Resource.objects.get(name="多世代サロンのお手伝い")
    assert r.place == place and r.days == ["土"] and r.cost == 100 and r.needs == ["居場所", "人との交流"]


def test_referrals_of_imported_consultations(ledger_world, tmp_path):
    assert run_cli("consultations", str(GOOD), "--mapping", str(MAPPING), "--municipality", "162116")[0] == 0
    f = tmp_path / "referrals.csv"
    f.write_text("受付機関,受付番号,つなぎ先,つないだ日,依頼内容,法令上の根拠\n"
                 "新湊西地域包括支援センター,5,ふくし総合相談センターすてっぷ,R6.7.10,生活費の相談,benefit\n"
                 "新湊西地域包括支援センター,99,ふくし総合相談センターすてっぷ,R6.7.10,,benefit\n", encoding="cp932")
    code, out, _ = run_cli("referrals", str(f), "--municipality", "162116", "--dry-run")
    assert code == 1
    assert [line for line in out.splitlines() if "行目" in line] == [
        "3行目 受付番号: 受付番号「99」の相談が取り込まれていません（先に相談台帳を取り込んでください）"]
    f.write_text(f.read_text(encoding="cp932").splitlines()[0] + "\n" + f.read_text(encoding="cp932").splitlines()[1],
                 encoding="cp932")
    code, out, _ = run_cli("referrals", str(f), "--municipality", "162116")
    assert code == 0, out
    referral = Referral.objects.get()
    assert referral.to_agency.name == "ふくし総合相談センターすてっぷ" and referral.basis == Referral.BASIS_STATUTORY
    assert timezone.localtime(referral.sent_at).date() == dt.date(2024, 7, 10)
    assert referral.consultation.person.name == "高岡 一男"
    assert run_cli("referrals", str(f), "--municipality", "162116")[0] == 0 and Referral.objects.count() == 1


def test_a_row_the_service_refuses_is_reported_with_its_row(ledger_world, tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("受付日,受付機関,担当者,相談経路,相談者,氏名,主訴,課題\n"
                 "令和6年4月1日,新湊西地域包括支援センター,窓口 花子,電話,本人,中新 湊,相談,宇宙人\n"
                 "令和99年4月1日,新湊西地域包括支援センター,窓口 花子,電話,本人,中新 湊,相談,\n", encoding="utf-8")
    code, out, _ = run_cli("consultations", str(f), "--municipality", "162116", "--dry-run")
    assert code == 1
    assert "2行目 課題: 課題「宇宙人」は選べません" in out
    assert "3行目 受付日: 受付日に未来の日付は書けません" in out


# ------------------------------------------------------------------------------------------------ screen

def test_the_admin_uploads_checks_and_imports_on_screen(client, ledger_world):
    client.force_login(ledger_world["admin"])
    page = client.get(reverse("ledger_import"))
    assert page.status_code == 200 and "台帳の取り込み" in page.content.decode()
    r = client.post(reverse("ledger_import"), {
        "kind": "consultations", "file": SimpleUploadedFile("c.csv", BROKEN.read_bytes())})
    run = ImportRun.objects.latest("id")
    assert r.status_code == 302 and r["Location"] == reverse("ledger_run", args=[run.pk])
    client.post(reverse("ledger_run_start", args=[run.pk]), {"action": "dry"})
    before = counts()
    client.post(reverse("ledger_run_execute", args=[run.pk]))
    html = client.get(reverse("ledger_run", args=[run.pk])).content.decode()
    assert "何も取り込んでいません" in html and "新湊南地域包括支援センター" in html and "2行目と同じ行です" in html
    assert counts() == before

    client.post(reverse("ledger_import"), {"kind": "consultations", "file": SimpleUploadedFile(GOOD.name, GOOD.read_bytes()),
                                           "mapping": SimpleUploadedFile("m.yaml", MAPPING.read_bytes())})
    run = ImportRun.objects.latest("id")
    html = client.get(reverse("ledger_run", args=[run.pk])).content.decode()
    assert 'name="col_chief_complaint"' in html
    client.post(reverse("ledger_run_start", args=[run.pk]), {"action": "dry"})
    client.post(reverse("ledger_run_execute", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.CHECKED and run.created == 8 and counts() == before
    client.post(reverse("ledger_run_start", args=[run.pk]), {"action": "import"})
    progress = client.get(reverse("ledger_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "<progress" in progress.content.decode()
    r = client.post(reverse("ledger_run_execute", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"] == reverse("ledger_run", args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportRun.DONE and run.created == 8 and not bytes(run.upload)
    assert Consultation.objects.count() == 8
    assert "取り込みました" in client.get(reverse("ledger_run", args=[run.pk])).content.decode()


def test_a_column_chosen_on_screen_is_used(client, ledger_world):
    client.force_login(ledger_world["admin"])
    csv_text = "日付,機関,職員,経路,誰から,名前,用件\n令和6年4月1日,新湊西地域包括支援センター,窓口 花子,電話,本人,中新 湊,買い物\n"
    client.post(reverse("ledger_import"), {"kind": "consultations",
                                           "file": SimpleUploadedFile("c.csv", csv_text.encode("cp932"))})
    run = ImportRun.objects.latest("id")
    assert "必須の列「主訴」がありません" in client.get(reverse("ledger_run", args=[run.pk])).content.decode()
    choose = {"col_received_at": "0", "col_agency": "1", "col_worker": "2", "col_channel": "3",
              "col_consulter_type": "4", "col_name": "5", "col_chief_complaint": "6", "action": "dry"}
    client.post(reverse("ledger_run_start", args=[run.pk]), choose)
    client.post(reverse("ledger_run_execute", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.CHECKED, run.errors
    assert run.mapping["columns"]["chief_complaint"] == "用件"


def test_only_the_admin_and_manager_of_the_municipality_reach_the_screen(client, ledger_world, fussa, make_staff):
    run = ImportRun.objects.create(municipality=ledger_world["m"], kind="places", filename="p.csv",
                                   upload=b"x", started_by=ledger_world["admin"])
    client.force_login(ledger_world["worker"])
    assert client.get(reverse("ledger_import")).status_code == 403
    assert client.get(reverse("ledger_run", args=[run.pk])).status_code == 403
    client.force_login(make_staff(fussa, "fussa.admin", "admin"))
    assert client.get(reverse("ledger_import")).status_code == 200
    assert client.get(reverse("ledger_run", args=[run.pk])).status_code == 404
    assert client.post(reverse("ledger_run_execute", args=[run.pk])).status_code == 404


def test_a_file_that_is_not_a_ledger_gets_a_japanese_message(client, ledger_world):
    client.force_login(ledger_world["admin"])
    r = client.post(reverse("ledger_import"), {"kind": "consultations",
                                               "file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert r.status_code == 400 and "Excel（xlsx）のファイルとして読めません" in r.content.decode()
    assert not ImportRun.objects.exists()


def test_a_started_run_is_executed_by_one_request_only(client, ledger_world):
    client.force_login(ledger_world["admin"])
    client.post(reverse("ledger_import"), {"kind": "consultations", "file": SimpleUploadedFile(GOOD.name, GOOD.read_bytes()),
                                           "mapping": SimpleUploadedFile("m.yaml", MAPPING.read_bytes())})
    run = ImportRun.objects.latest("id")
    client.post(reverse("ledger_run_start", args=[run.pk]), {"action": "import"})
    ImportRun.objects.filter(pk=run.pk).update(claimed_at=timezone.now())  # another request is executing it
    client.post(reverse("ledger_run_execute", args=[run.pk]))
    assert not Consultation.objects.exists()
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.RUNNING
