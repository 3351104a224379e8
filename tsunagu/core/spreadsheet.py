"""The one place where values become spreadsheet cells: every xlsx and CSV exporter writes through here.

A cell whose text starts with =, +, -, @, a tab or a carriage return would be run as a formula by Excel or
LibreOffice (CSV/formula injection, OWASP): a person's name `=HYPERLINK(...)` would become a live link. Such
text is written as text: in CSV behind a leading apostrophe (OWASP's rule), in xlsx as a string cell marked
"quote prefix", so that it stays text even when someone edits it. Numbers stay numbers.

Dates are written in 和暦 (令和8年4月1日, with the time for a date-time), as the rest of the system shows them,
and every workbook is saved through `workbook_bytes`, which gives each sheet its print setup: A4, fitted to
the page width, landscape when the sheet is wide, the used range as print area and the title/header rows
repeated on every page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def inert(value):
    """The CSV form of one value."""
    return "'" + value if is_formula_like(value) else value


class CsvWriter:
    """csv.writer whose every cell is inert."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([inert(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def as_text_date(value):
    """A date or date-time as the system writes it (和暦); anything else unchanged."""
    from django.utils import timezone

    from tsunagu.core.wareki import format_wareki

    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{format_wareki(local)} {local:%H:%M}"
    if isinstance(value, dt.date):
        return format_wareki(value)
    return value


def set_cell(ws, row: int, column: int, value):
    """ws.cell(row, column, value) for openpyxl, with formula-like text kept as text and dates in 和暦."""
    value = as_text_date(value)
    cell = ws.cell(row=row, column=column)
    if is_formula_like(value):
        cell.value = value
        cell.data_type = "s"  # openpyxl types "=…" as a formula on assignment
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def append_row(ws, values) -> None:
    """ws.append(values), inert."""
    row = ws.max_row + 1 if (ws.max_row > 1 or ws.cell(row=1, column=1).value is not None) else 1
    for column, value in enumerate(values, start=1):
        set_cell(ws, row, column, value)


WIDE_COLUMNS = 5  # a sheet with more columns than this prints landscape


def print_setup(ws, *, title_rows: str | None = None, landscape: bool | None = None) -> None:
    """A4, one page wide (as many pages down as needed), the used range as print area, `title_rows` ("1:4")
    repeated at the top of every page, page numbers in the footer."""
    from openpyxl.utils import get_column_letter

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wide = ws.max_column > WIDE_COLUMNS if landscape is None else landscape
    ws.page_setup.orientation = "landscape" if wide else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{get_column_letter(max(ws.max_column, 1))}{max(ws.max_row, 1)}"
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"


def workbook_bytes(wb) -> bytes:
    """The xlsx file; a sheet the exporter did not set up for printing gets the default setup, with its first
    row repeated on every page."""
    for ws in wb.worksheets:
        if not ws.print_area:
            print_setup(ws, title_rows="1:1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
