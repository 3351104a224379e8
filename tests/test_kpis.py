"""Every KPI kind on hand-built records with known answers, including the fiscal-year edge (3/31 vs 4/1)."""

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tsunagu.casework import services as casework
from tsunagu.evaluation.kpis import fiscal_year_rows
from tsunagu.evaluation.models import KpiDefinition, ManualActual
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings

from .casework_fixtures import hold, meeting_type
from .intake_fixtures import record

pytestmark = pytest.mark.django_db
JST = ZoneInfo("Asia/Tokyo")
LAST_OF_FY2024 = dt.datetime(2025, 3, 31, 23, 30, tzinfo=JST)
FIRST_OF_FY2025 = dt.datetime(2025, 4, 1, 0, 10, tzinfo=JST)


def kpi(m, code, kind, **filters):
    return KpiDefinition.objects.create(municipality=m, code=code, name=code, kind=kind, area="全体",
                                        filters=filters)


def actual(m, code, fy):
    return next(r.actual for r in fiscal_year_rows(m, fy) if r.kpi.code == code)


def consult(user, at, **kw):
    c = record(user, **kw)
    c.received_at = at  # test fixture: move the business time to the edge of the fiscal year
    c.save(update_fields=["received_at"])
    return c


@pytest.fixture
def edge_records(imizu, intake_a, staff_b, coordinator):
    """Two of everything: one on 2025-03-31 (令和6年度), one on 2025-04-01 (令和7年度)."""
    for at in (LAST_OF_FY2024, FIRST_OF_FY2025):
        c = consult(intake_a, at, consent_all=True, name=f"境界 {at:%m%d}")
        r = intake.escalate_to_multiagency(intake_a, c, at=at)
        case = casework.open_case(coordinator, referral=r, at=at)
        casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
        casework.draft_plan(coordinator, case, long_term_goal="目標", short_term_goals="短期", lead_agency=staff_b.agency,
                            review_date=dt.date(2030, 1, 1), at=at + dt.timedelta(days=10) if at == LAST_OF_FY2024
                            else at, actions=[{"description": "取組", "agency": staff_b.agency,
                                               "due_date": dt.date(2030, 1, 1)}])
        for kind in ("重層的支援会議", "支援会議"):
            m = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, kind), title=kind,
                                          scheduled_at=at)
            hold(coordinator, m, held_at=at)
        r2 = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, at=at)
        intake.return_referral(staff_b, r2, reason="対象外", suggested_agency=coordinator.agency, at=at)
    # A second consultation of the same person at the same agency is not 新規.
    first = consult(intake_a, FIRST_OF_FY2025, name="再来 花子")
    consult(intake_a, FIRST_OF_FY2025 + dt.timedelta(days=20), person=first.person)


@pytest.mark.parametrize(("kind", "fy2024", "fy2025"), [
    ("multiagency_cases", 1, 1),
    ("jusoteki_meetings_held", 1, 1),
    ("shien_meetings_held", 1, 1),
    ("referrals_returned", 1, 1),
    ("consultations_total", 1, 3),
    ("consultations_new", 1, 2),
])
def test_kinds_count_on_the_right_side_of_april_first(imizu, edge_records, kind, fy2024, fy2025):
    kpi(imizu, "k", kind)
    assert (actual(imizu, "k", 2024), actual(imizu, "k", 2025)) == (fy2024, fy2025)


def test_plans_created_uses_the_plan_date(imizu, edge_records):
    kpi(imizu, "plans", "plans_created")
    # The FY2024 case's plan was written on 4月10日, so both first plans fall in 令和7年度.
    assert (actual(imizu, "plans", 2024), actual(imizu, "plans", 2025)) == (0, 2)


def test_median_days_to_plan(imizu, edge_records):
    kpi(imizu, "median", "median_days_to_plan")
    assert actual(imizu, "median", 2025) == 5.0  # 10 days and 0 days


def test_closures_and_agency_filters(imizu, edge_records, intake_a):
    kpi(imizu, "closed", "closures")
    assert actual(imizu, "closed", 2025) == 0
    kpi(imizu, "window", "consultations_total", agencies=[intake_a.agency.code])
    kpi(imizu, "other", "consultations_total", agencies=["ainet-imizu"])
    kpi(imizu, "kaigo", "consultations_total", field="介護")
    assert actual(imizu, "window", 2025) == 3 and actual(imizu, "other", 2025) == 0
    assert actual(imizu, "kaigo", 2025) == 3


def test_places_count_and_manual_actuals(imizu, manager):
    kpi(imizu, "chikatsu", "places_count", place_kind="地域活動支援センター")
    assert actual(imizu, "chikatsu", 2025) == 4  # the four 地域活動支援センター of the seed
    manual = kpi(imizu, "hand", "manual")
    assert actual(imizu, "hand", 2025) is None
    ManualActual.objects.create(municipality=imizu, kpi=manual, fiscal_year=2025, value=146, recorded_by=manager)
    row = next(r for r in fiscal_year_rows(imizu, 2025) if r.kpi.code == "hand")
    assert row.actual == 146 and row.manual


def test_imizu_targets_reproduce_the_seed_table(imizu):
    expected = {  # 射水市 実施計画 R5–R7 (seed 000, L412–L448)
        "multiagency_cases": (1, 10, 20), "plans_created": (1, 5, 10), "jusoteki_meetings_held": (1, 5, 10),
        "shien_meetings_held": (None, 1, 2), "outreach_targets": (None, 10, 20), "participation_plans": (None, 1, 2),
        "community_projects": (2, 3, 4),
    }
    for kind, targets in expected.items():
        got = tuple(next(r.target for r in fiscal_year_rows(imizu, fy) if r.kpi.kind == kind)
                    for fy in (2023, 2024, 2025))
        assert got == targets, kind


def test_rate_is_actual_over_target(imizu, edge_records):
    row = next(r for r in fiscal_year_rows(imizu, 2025) if r.kpi.kind == "multiagency_cases")
    assert row.target == 20 and row.actual == 1 and row.rate == 5.0


def test_kpi_command_writes_json_xlsx_and_pdf(imizu, edge_records, tmp_path, capsys):
    call_command("kpi", "--municipality", "162116", "--fiscal-year", "令和7年度", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    by_code = {k["code"]: k for k in data["kpis"]}
    assert data["fiscal_year"] == 2025 and data["fiscal_year_label"] == "令和7年度"
    assert by_code["tak-soudan-uketsuke"] | {} == {**by_code["tak-soudan-uketsuke"], "target": 20, "actual": 1,
                                                    "rate": 5.0}
    assert set(by_code["tak-soudan-uketsuke"]) >= {"code", "name", "target", "actual", "rate"}
    call_command("kpi", "--municipality", "162116", "--fiscal-year", "2025", "--format", "xlsx",
                 "--output", str(tmp_path / "r.xlsx"))
    wb = load_workbook(tmp_path / "r.xlsx")
    assert "包括的相談支援" in wb.sheetnames and "地域づくり" in wb.sheetnames
    call_command("kpi", "--municipality", "162116", "--fiscal-year", "R7", "--format", "pdf",
                 "--output", str(tmp_path / "r.pdf"))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument((tmp_path / "r.pdf").read_bytes())
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "評価報告" in text and "令和7年度" in text and "目標と実績" in text
    assert "ロジックモデル" in text and "アウトリーチ等を通じた継続的支援事業" in text


def test_kpi_command_errors_are_japanese(imizu):
    with pytest.raises(CommandError, match="登録されていません"):
        call_command("kpi", "--municipality", "999999", "--fiscal-year", "2025")
    with pytest.raises(CommandError, match="読めません"):
        call_command("kpi", "--municipality", "162116", "--fiscal-year", "来年")
    with pytest.raises(CommandError, match="--output"):
        call_command("kpi", "--municipality", "162116", "--fiscal-year", "2025", "--format", "pdf")


def test_dashboard_is_for_managers_and_downloads_excel(client, manager, intake_a, edge_records):
    client.force_login(intake_a)
    assert client.get("/evaluation/").status_code == 403
    client.force_login(manager)
    body = client.get("/evaluation/", {"fy": 2025}).content.decode()
    assert "令和7年度" in body and "多機関協働事業における相談受付件数" in body and "<svg" in body
    response = client.get("/evaluation/report.xlsx", {"fy": 2025})
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "包括的相談支援"


def test_logic_model_places_each_kpi(imizu):
    from tsunagu.evaluation.report import logic_model

    model = logic_model(imizu, fiscal_year_rows(imizu, 2025))
    first = model[0]
    assert first["activity"] == "包括的相談支援事業・多機関協働事業"
    assert [r.kpi.code for r in first["outputs"]][:2] == ["tak-soudan-uketsuke", "shien-plan-sakusei"]
    assert first["outputs"][0].target == 20


def test_logic_model_references_are_validated():
    from tsunagu.directory.profile_validation import parse_profile_text

    from .test_profiles import MINIMAL

    bad = MINIMAL + "logic_model:\n  - {activity: 相談, outputs: [k, nope]}\n"
    _, problems = parse_profile_text(bad, "bad.yaml")
    assert [(p.path, p.message) for p in problems] == [
        ("logic_model[0].outputs[1]", "指標 'nope' は kpis に定義されていません")]


@pytest.fixture
def program_rows(imizu, coordinator, intake_a):
    """Outreach targets, placements and usage figures on both sides of 2025-04-01 (hand-built rows)."""
    from tsunagu.community.models import Place, UsageRecord
    from tsunagu.outreach.models import HOLDING_BASES, OutreachTarget
    from tsunagu.participation.models import Placement, Resource

    for found in (dt.date(2025, 3, 31), dt.date(2025, 4, 1), dt.date(2025, 4, 2)):
        OutreachTarget.objects.create(municipality=imizu, address="射水市放生津町1", source=imizu.outreach_sources[0],
                                      provider="検針員", noticed="新聞がたまっている", legal_basis=HOLDING_BASES[0][0],
                                      found_on=found, assigned_to=coordinator)
    resource = Resource.objects.create(municipality=imizu, name="居場所", kind="居場所", host="社協",
                                       created_by=coordinator)
    person = record(intake_a, name="参加 一郎").person
    other = record(intake_a, name="参加 二郎").person
    common = {"municipality": imizu, "resource": resource, "agency": intake_a.agency, "created_by": coordinator}
    Placement.objects.create(person=person, proposed_on=dt.date(2025, 3, 1), status="settled",
                             started_on=dt.date(2025, 3, 10), ended_on=dt.date(2025, 9, 1), **common)
    Placement.objects.create(person=person, proposed_on=dt.date(2025, 5, 1), status="interrupted",
                             started_on=dt.date(2025, 5, 10), ended_on=dt.date(2025, 6, 1), **common)
    Placement.objects.create(person=other, proposed_on=dt.date(2025, 4, 1), status="started",
                             started_on=dt.date(2025, 4, 15), **common)
    place = Place.objects.get(municipality=imizu, code="chikatsu-ainet-imizu")
    for start, visits in ((dt.date(2025, 3, 1), 100), (dt.date(2025, 4, 1), 250), (dt.date(2025, 10, 1), 300)):
        UsageRecord.objects.create(municipality=imizu, place=place, period_start=start,
                                   period_end=start + dt.timedelta(days=29), total_visits=visits,
                                   recorded_by=coordinator)


@pytest.mark.parametrize(("kind", "filters", "fy2024", "fy2025"), [
    ("outreach_targets", {}, 1, 2),
    ("participation_plans", {}, 1, 1),  # 参加 一郎's first proposal is in FY2024; 参加 二郎's in FY2025
    ("placements_active_3m", {}, 1, 1),  # the May placement stopped after three weeks
    ("place_users", {"place_kind": "地域活動支援センター"}, 100, 550),
    ("community_projects", {"project": "地域支え合いネットワーク共生社会構築事業"}, 2, 2),
])
def test_program_kinds(imizu, program_rows, kind, filters, fy2024, fy2025):
    kpi(imizu, "k", kind, **filters)
    assert (actual(imizu, "k", 2024), actual(imizu, "k", 2025)) == (fy2024, fy2025)


def test_every_kpi_kind_has_a_computation():
    from tsunagu.directory.profile_schema import KPI_KINDS
    from tsunagu.evaluation.kpis import COMPUTERS

    assert set(KPI_KINDS) - set(COMPUTERS) == {"manual"}


def test_every_dashboard_table_downloads_as_csv(client, manager, edge_records):
    client.force_login(manager)
    for name, header in [("kpis", "指標"), ("by_field", "分野"), ("by_agency", "機関"), ("flows", "つなぎ元"),
                         ("pipeline", "事例の状態")]:
        response = client.get(f"/evaluation/tables/{name}.csv", {"fy": 2025})
        text = response.content.decode("utf-8-sig")
        assert response.status_code == 200 and header in text.splitlines()[0], name
        assert len(text.splitlines()) >= 2, name
    assert client.get("/evaluation/tables/nope.csv").status_code == 404


def test_ichikawa_r5_targets_reproduce(db):
    from tsunagu.directory.services import load_profile

    from .conftest import parsed_profile

    ichikawa = load_profile(parsed_profile("ichikawa"))
    targets = {r.kpi.name: r.target for r in fiscal_year_rows(ichikawa, 2023) if r.target is not None}
    assert len(targets) == 15
    assert targets["相談支援機関等から多機関協働事業につながったケース数"] == 210  # seed 003 L324-325
    assert targets["地域ケアシステムにおけるサロン箇所数"] == 120  # seed 003 L326-327
