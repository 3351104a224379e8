"""名寄せ of a file: read a ledger (CSV, UTF-8 or CP932), find every candidate pair, write them as CSV.

What a city uses to de-duplicate a ledger before importing it, and what anyone can use to evaluate the
matcher on their own records. No database: the parameters are learned from the file itself (learn.py), as
the batch run learns them from the register. Columns (header row; any value may be empty; English or
Japanese names): id (ID), name (氏名), kana (フリガナ), birth (生年月日), address (住所), phone (電話), sex (性別).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tsunagu.core import text
from tsunagu.core.spreadsheet import CsvWriter

from . import batch, matching

COLUMNS = {
    "id": ("id", "ID", "番号", "識別番号"),
    "name": ("name", "氏名", "名前"),
    "kana": ("kana", "フリガナ", "ふりがな", "カナ氏名", "氏名カナ"),
    "birth": ("birth", "birth_date", "生年月日"),
    "address": ("address", "住所"),
    "phone": ("phone", "電話", "電話番号"),
    "sex": ("sex", "性別"),
}
SEX = {"male": "male", "m": "male", "男": "male", "男性": "male", "1": "male",
       "female": "female", "f": "female", "女": "female", "女性": "female", "2": "female"}
OUTPUT_HEADER = ["id_a", "id_b", "score", "band", "reasons"]
BANDS = {"suggest": "有力候補", "review": "要確認"}


class LedgerError(ValueError):
    """A file that cannot be read as a ledger: the message (Japanese) names the file, row or column."""


@dataclass
class Ledger:
    ids: list[str]
    rows: dict[str, list[str]]  # column → values (one per record)
    encoding: str
    notes: list[str] = field(default_factory=list)  # per-row remarks for the user (unreadable dates, old eras)
    births: list = field(default_factory=list)


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) when it decodes, else CP932 (Shift_JIS as Windows writes it)."""
    candidates = [encoding] if encoding else ["utf-8-sig", "cp932"]
    for enc in candidates:
        try:
            return raw.decode(enc), ("utf-8" if enc == "utf-8-sig" else enc)
        except (UnicodeDecodeError, LookupError):
            continue
    if encoding:
        raise LedgerError(f"文字コード {encoding} として読めません（UTF-8 か CP932 で保存してください）")
    raise LedgerError("文字コードを判別できません（UTF-8 か CP932 で保存してください）")


def read_ledger(path: Path, encoding: str | None = None) -> Ledger:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise LedgerError(f"{path}: ファイルを読めません（{exc.strerror or exc}）") from None
    content, used = decode(raw, encoding)
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader, None)
    if not header:
        raise LedgerError(f"{path}: 見出し行がありません（id, name, kana, birth, address, phone, sex）")
    names = [h.strip() for h in header]
    where: dict[str, int] = {}
    for col, aliases in COLUMNS.items():
        found = [k for k, h in enumerate(names) if h in aliases or h.lower() in aliases]
        if len(found) > 1:
            raise LedgerError(f"{path}: 列「{COLUMNS[col][0]}」が2回あります（{found[0] + 1}列目と{found[1] + 1}列目）")
        if found:
            where[col] = found[0]
    if "name" not in where and "kana" not in where:
        raise LedgerError(f"{path}: 氏名（name）かフリガナ（kana）の列が必要です。見出し: {', '.join(names)}")
    ids: list[str] = []
    rows: dict[str, list[str]] = {col: [] for col in COLUMNS if col != "id"}
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            raise LedgerError(f"{path}: {line}行目: 列が見出しより多くあります（{len(row)}列、見出しは{len(names)}列）")

        def cell(col, row=row):
            k = where.get(col)
            return row[k].strip() if k is not None and k < len(row) else ""

        rid = cell("id") or f"行{line}"
        if rid in seen:
            raise LedgerError(f"{path}: {line}行目: id「{rid}」は{seen[rid]}行目と重複しています")
        seen[rid] = line
        ids.append(rid)
        for col in rows:
            rows[col].append(cell(col))
    ledger = Ledger(ids, rows, used)
    for k, value in enumerate(rows["birth"]):
        birth = None
        if value:
            try:
                parsed = text.parse_date_noted(value)
            except ValueError as exc:
                ledger.notes.append(f"id {ids[k]}: 生年月日を空として扱います（{exc}）")
            else:
                birth = parsed.date
                if parsed.note:
                    ledger.notes.append(f"id {ids[k]}: {parsed.note}")
        ledger.births.append(birth)
    return ledger


@dataclass
class PairsResult:
    pairs: list[tuple[str, str, float, str, list[str]]]
    records: int
    compared: int
    model: matching.Model


def match_ledger(ledger: Ledger, *, drop_prefixes: tuple[str, ...] = (), min_score: float = matching.REVIEW,
                 progress=None) -> PairsResult:
    """Every pair of records that may be one person (score ≥ min_score), best first, with reasons."""
    n = len(ledger.ids)
    sexes = [SEX.get(s.strip().lower(), "") for s in ledger.rows["sex"]]
    c = batch.Columns.of_raw(list(range(n)), names=ledger.rows["name"], kanas=ledger.rows["kana"],
                             births=ledger.births, addresses=ledger.rows["address"], phones=ledger.rows["phone"],
                             sexes=sexes, drop_prefixes=drop_prefixes)
    result = batch.match_columns(c, threshold=min_score, households=False, progress=progress)
    feats = [matching.features(k, name=ledger.rows["name"][k], kana=ledger.rows["kana"][k],
                               birth_date=ledger.births[k], address=ledger.rows["address"][k],
                               phone=ledger.rows["phone"][k], sex=sexes[k], drop_prefixes=drop_prefixes)
             for k in range(n)]
    tf = matching.Frequencies.of(feats)
    out = []
    for a, b, score in sorted(result.pairs, key=lambda p: (-p[2], p[0], p[1])):
        _, why = matching.compare(feats[a], feats[b], tf, result.model, explain=True)
        out.append((ledger.ids[a], ledger.ids[b], score, matching.band(score), matching.explain(why)))
    return PairsResult(out, n, result.compared, result.model)


def write_pairs(path: Path, result: PairsResult, *, encoding: str = "utf-8") -> None:
    """Write the pairs as CSV, all or nothing (a temporary file renamed into place). UTF-8 gets a BOM so
    that Excel opens it as UTF-8."""
    path = Path(path)
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=".match-file-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding=enc, errors="replace", newline="") as f:
            # Through the one inert writer (an id or a reason starting with = + - @ stays text); the score is a
            # number, so it stays a number.
            w = CsvWriter(f)
            w.writerow(OUTPUT_HEADER)
            for a, b, score, band, reasons in result.pairs:
                w.writerow([a, b, round(score, 2), band, "; ".join(reasons)])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
