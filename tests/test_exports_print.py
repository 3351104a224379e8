"""Issue 17: Excel exports carry 和暦 (headers and cells) and a print setup (A4, one page wide, print area, titles
repeated); the 相談受付票 PDF carries the 世帯員 and the つなぐ理由."""

import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from tsunagu.core.spreadsheet import set_cell, workbook_bytes
from tsunagu.intake import services

from .intake_fixtures import record
from .test_exports import case, pdf_text  # noqa: F401 — the case fixture of the export tests

pytestmark = pytest.mark.django_db

SEIREKI = re.compile(r"(19|20)\d\d[-/年.]\s*\d{1,2}[-/月.]\s*\d{1,2}")


def assert_printable(ws, *, landscape=None):
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0  # as many pages down as needed
    assert re.fullmatch(r"('[^']+'!)?\$A\$1:\$[A-Z]+\$\d+", ws.print_area or ""), ws.print_area
    assert title_rows(ws)[0] == 1
    if landscape is not None:
        assert ws.page_setup.orientation == ("landscape" if landscape else "portrait")


def title_rows(ws) -> tuple[int, int]:
    first, last = (ws.print_title_rows or "0:0").replace("$", "").split(":")
    return int(first), int(last)


def header_texts(ws):
    """The cells of the repeated title rows."""
    last = title_rows(ws)[1]
    return [str(c.value) for row in ws.iter_rows(min_row=1, max_row=last) for c in row if c.value is not None]


def test_case_list_prints_landscape_on_a4_with_its_header_repeated(client, coordinator, case):  # noqa: F811
    client.force_login(coordinator)
    ws = load_workbook(io.BytesIO(client.get("/cases/export.xlsx").content)).active
    assert_printable(ws, landscape=True)
    headers = header_texts(ws)
    assert "事例名" in headers and "受付日" in headers  # the table header is among the repeated rows
    assert not [h for h in headers if SEIREKI.search(h)]
    assert any("令和" in h for h in headers)  # 出力: 令和…
    opened = [c.value for c in ws[title_rows(ws)[1] + 1]][6]
    assert opened.startswith("令和") and not SEIREKI.search(opened)


def test_plan_sheet_prints_with_its_title(client, coordinator, case):  # noqa: F811
    client.force_login(coordinator)
    ws = load_workbook(io.BytesIO(client.get(f"/cases/{case.pk}/export/plan.xlsx").content)).active
    assert_printable(ws, landscape=True)
    assert not [h for h in header_texts(ws) if SEIREKI.search(h)]


def test_kpi_report_sheets_print_with_titles_and_wareki_headers(client, manager):
    client.force_login(manager)
    wb = load_workbook(io.BytesIO(client.get("/evaluation/report.xlsx", {"fy": 2025}).content))
    for ws in wb.worksheets:
        assert_printable(ws)
        headers = header_texts(ws)
        assert not [h for h in headers if SEIREKI.search(h)], (ws.title, headers)
        assert any("令和7年度" in h for h in headers), ws.title  # 年度 in the title
    first = wb.worksheets[0]
    assert title_rows(first) == (1, 4) and first["A4"].value == "指標"
    assert "令和" in first["A2"].value  # 出力: 令和8年…


def test_every_sheet_gets_a_print_setup_and_dates_become_wareki():
    wb = Workbook()
    ws = wb.active
    set_cell(ws, 1, 1, "受付日")
    set_cell(ws, 2, 1, dt.date(2026, 4, 1))
    for col in range(2, 9):
        set_cell(ws, 1, col, f"列{col}")
    ws = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert ws["A2"].value == "令和8年4月1日"
    assert_printable(ws, landscape=True)  # 8 columns: wide
    assert title_rows(ws) == (1, 1)


def test_consultation_pdf_shows_household_members_and_the_reason_for_the_referral(client, intake_a, staff_b):
    c = record(intake_a, consent_all=True, members=[
        {"name": "高橋 ハナ", "kana": "タカハシ ハナ", "relation": "母", "birth_date": dt.date(1944, 2, 3),
         "care_roles": ["要介護"]}])
    services.refer_consultation(intake_a, c, to_agency=staff_b.agency,
                                message="本人のひきこもりについて障害福祉サービスの利用を相談したい")
    client.force_login(intake_a)
    text = "".join(pdf_text(client.get(f"/intake/{c.pk}/export.pdf").content).split())
    assert "世帯員" in text and "高橋ハナ" in text and "母" in text and "要介護" in text
    assert "つなぐ理由" in text and "本人のひきこもりについて障害福祉サービスの利用を相談したい" in text
    assert "あいネットいみず" in text
    # The receiving agency, sharing by consent, sees the つなぎ it received, with its reason.
    client.force_login(staff_b)
    shared = "".join(pdf_text(client.get(f"/intake/{c.pk}/export.pdf").content).split())
    assert "本人のひきこもりについて障害福祉サービスの利用を相談したい" in shared
