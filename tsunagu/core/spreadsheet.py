"""The one place where values become spreadsheet cells: every xlsx and CSV exporter writes through here.

A cell whose text starts with =, +, -, @, a tab or a carriage return would be run as a formula by Excel or
LibreOffice (CSV/formula injection, OWASP): a person's name `=HYPERLINK(...)` would become a live link. Such
text is written as text: in CSV behind a leading apostrophe (OWASP's rule), in xlsx as a string cell marked
"quote prefix", so that it stays text even when someone edits it. Numbers stay numbers.
"""

from __future__ import annotations

import csv

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


def set_cell(ws, row: int, column: int, value):
    """ws.cell(row, column, value) for openpyxl, with formula-like text kept as text."""
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
