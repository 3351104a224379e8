"""Reading a ledger file: xlsx (openpyxl; title lines and merged header rows as cities keep them) or CSV
(UTF-8, UTF-8 with BOM, or Shift_JIS/CP932 as Excel writes it), into a header and rows of cells.

A header over two rows (「本人」 merged over 「氏名」「フリガナ」) gives the names 「本人・氏名」 and
「本人・フリガナ」; a cell merged down both rows (「受付日」) gives 「受付日」. A mapping names either form,
or the last part alone when it is unambiguous.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field

import yaml

from tsunagu.identity.files import LedgerError, decode


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (line number in the file, cells)
    encoding: str = ""
    title: str = ""  # the text above the header (「令和6年度 相談受付台帳 ○○センター」)


@dataclass
class Mapping:
    kind: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field → header in the file
    defaults: dict[str, str] = field(default_factory=dict)  # field → value for every row
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {written: meant}
    sheet: str = ""
    header_rows: int = 0  # 0: detect


def clean_header(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def mapping_from_dict(data: dict) -> Mapping:
    return Mapping(kind=data.get("kind", ""), columns=dict(data.get("columns") or {}),
                   defaults=dict(data.get("defaults") or {}), values=dict(data.get("values") or {}),
                   sheet=data.get("sheet", ""), header_rows=int(data.get("header_rows") or 0))


def mapping_as_dict(m: Mapping) -> dict:
    return {"kind": m.kind, "columns": m.columns, "defaults": m.defaults, "values": m.values, "sheet": m.sheet,
            "header_rows": m.header_rows}


def load_mapping(raw: bytes | str) -> Mapping:
    try:
        data = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise LedgerError(f"対応表（YAML）を読めません（{getattr(exc, 'problem', None) or exc}）") from None
    if not isinstance(data, dict):
        raise LedgerError("対応表（YAML）は「columns:」などの項目を並べた形にしてください")

    def strmap(key) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise LedgerError(f"対応表の「{key}」は「項目: 値」の形にしてください")
        return {str(k): v for k, v in value.items()}

    values = {k: {str(a): str(b) for a, b in (v or {}).items()} for k, v in strmap("values").items()}
    try:
        header_rows = int(data.get("header_rows") or 0)
    except (TypeError, ValueError):
        raise LedgerError("対応表の「header_rows」は見出しの行数（1 か 2）にしてください") from None
    return Mapping(kind=str(data.get("kind") or ""), columns={k: clean_header(v) for k, v in strmap("columns").items()},
                   defaults={k: str(v) for k, v in strmap("defaults").items()}, values=values,
                   sheet=str(data.get("sheet") or ""), header_rows=header_rows)


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    return "" if value is None else str(value).strip()


def read_table(raw: bytes, filename: str, mapping: Mapping | None = None) -> Table:
    mapping = mapping or Mapping()
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(raw, mapping)
    if filename.lower().endswith((".csv", ".txt")):
        return _read_csv(raw, mapping)
    raise LedgerError(f"{filename}: xlsx か CSV のファイルを選んでください")


def _header_start(grid: list[list[object]]) -> int:
    for k, row in enumerate(grid):
        if len({str(c) for c in row if c not in ("", None)}) >= 3:  # a merged title line repeats one value
            return k
    raise LedgerError("見出し行が見つかりません（3列以上の見出しが並んだ行が必要です）")


def _names(grid, start: int, count: int) -> list[str]:
    width = max(len(r) for r in grid[start:start + count])
    names = []
    for col in range(width):
        parts = []
        for r in range(start, start + count):
            value = clean_header(grid[r][col] if col < len(grid[r]) else "")
            if value and value not in parts:
                parts.append(value)
        names.append("・".join(parts))
    return names


def _read_xlsx(raw: bytes, mapping: Mapping) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=False, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not an xlsx
        raise LedgerError("Excel（xlsx）のファイルとして読めません") from None
    if mapping.sheet:
        if mapping.sheet not in book.sheetnames:
            raise LedgerError(f"シート「{mapping.sheet}」がありません（{', '.join(book.sheetnames)}）")
        sheet = book[mapping.sheet]
    else:
        sheet = book.worksheets[0]
    grid = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    horizontal = set()
    for rng in sheet.merged_cells.ranges:  # a merged cell's value fills its whole range
        value = grid[rng.min_row - 1][rng.min_col - 1]
        for r in range(rng.min_row - 1, rng.max_row):
            for c in range(rng.min_col - 1, rng.max_col):
                grid[r][c] = value
        if rng.max_col > rng.min_col:
            horizontal.add(rng.min_row - 1)
    start = _header_start(grid)
    count = mapping.header_rows or (2 if start in horizontal else 1)
    title = " ".join(str(c) for row in grid[:start] for c in row if c not in ("", None))
    rows = [(k + 1, row) for k, row in enumerate(grid) if k >= start + count]
    return Table(_names(grid, start, count), rows, "xlsx", title)


def _read_csv(raw: bytes, mapping: Mapping) -> Table:
    content, encoding = decode(raw)
    grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(content, newline=""))]
    start = _header_start(grid)
    count = mapping.header_rows or 1
    rows = [(k + 1, row) for k, row in enumerate(grid) if k >= start + count]
    return Table(_names(grid, start, count), rows, encoding)
