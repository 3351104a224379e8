"""`tsunagu match-file`: a ledger CSV (UTF-8 or CP932) in, every candidate pair out (id_a, id_b, score, band, reasons)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tsunagu.identity import matching

LEDGER = [
    ["id", "name", "kana", "birth", "address", "phone", "sex"],
    ["A-1", "高橋 一郎", "タカハシ イチロウ", "昭和五十五年三月一日", "富山県射水市小島一丁目2番3号", "0766-83-7171", "男"],
    ["B-7", "髙橋　一郎", "ﾀｶﾊｼ ｲﾁﾛｳ", "1980-03-01T00:00:00", "射水市小島1-2-3 コーポ山田201", "0766837171", ""],
    ["C-2", "高橋 和子", "タカハシ カズコ", "1950/6/1", "射水市小島1-2-3", "0766837171", "女"],
    ["D-4", "佐藤 裕子", "サトー ユーコ", "H31.5.1", "射水市本町1-1-1", "090-1111-2222", "女"],
    ["E-5", "佐藤 裕子", "さとう ゆうこ", "令和元年5月1日", "射水市本町1-1-1", "", ""],
    ["F-6", "", "", "", "", "", ""],  # an empty row is skipped
    ["G-9", "九十九 花子", "", "", "", "", ""],
]


def write(path: Path, rows, encoding="utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def read_pairs(path: Path, encoding="utf-8-sig") -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("match-file", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_it_writes_every_candidate_pair_of_a_ledger(tmp_path, encoding):
    src = write(tmp_path / "ledger.csv", LEDGER, encoding)
    out, err = run(str(src), "--output", str(tmp_path / "pairs.csv"), "--city", "射水市")
    pairs = read_pairs(tmp_path / "pairs.csv")
    assert list(pairs[0]) == ["id_a", "id_b", "score", "band", "reasons"]
    by_ids = {(p["id_a"], p["id_b"]): p for p in pairs}
    same = by_ids[("A-1", "B-7")]  # one resident written two ways (異体字, half-width kana, kanji-numeral 和暦)
    assert same["band"] == "suggest" and float(same["score"]) >= matching.SUGGEST
    assert "生年月日一致" in same["reasons"] and "住所・電話番号一致" in same["reasons"]
    sato = by_ids[("D-4", "E-5")]  # サトー ユーコ = さとう ゆうこ; 平成31年 written after the era change
    assert sato["band"] == "suggest" and "氏名・フリガナ一致" in sato["reasons"]
    assert ("A-1", "C-2") not in by_ids and ("B-7", "C-2") not in by_ids  # mother and son: not one person
    assert all(p["band"] in ("suggest", "review") for p in pairs)
    assert "「H31.5.1」は改元後の日付です" in err and "id D-4" in err
    assert "完了: " in out and "既定の重み" in out  # 7 records: too few to learn from


def test_it_reads_japanese_column_names_and_writes_cp932(tmp_path):
    rows = [["ID", "氏名", "フリガナ", "生年月日", "住所", "電話番号", "性別"], *LEDGER[1:3]]
    src = write(tmp_path / "台帳.csv", rows, "cp932")
    run(str(src), "--output", str(tmp_path / "pairs.csv"), "--output-encoding", "cp932")
    assert [(p["id_a"], p["id_b"]) for p in read_pairs(tmp_path / "pairs.csv", "cp932")] == [("A-1", "B-7")]


def test_a_row_without_id_is_named_by_its_line_and_an_unreadable_date_is_left_out(tmp_path):
    rows = [LEDGER[0], ["", "高橋 一郎", "タカハシ イチロウ", "そのうち", "射水市小島1-2-3", "0766837171", ""],
            LEDGER[2]]
    src = write(tmp_path / "ledger.csv", rows)
    _, err = run(str(src), "--output", str(tmp_path / "pairs.csv"))
    assert "id 行2: 生年月日を空として扱います" in err
    assert [(p["id_a"], p["id_b"]) for p in read_pairs(tmp_path / "pairs.csv")] == [("行2", "B-7")]  # file order


@pytest.mark.parametrize(("rows", "message"), [
    ([], "見出し行がありません"),
    ([["id", "address"], ["1", "小島1-2-3"]], "氏名（name）かフリガナ（kana）の列が必要です"),
    ([LEDGER[0], LEDGER[1], ["A-1", "別人", "", "", "", "", ""]], "3行目: id「A-1」は2行目と重複しています"),
    ([["id", "name", "name"]], "列「name」が2回あります"),
    ([LEDGER[0], [*LEDGER[1], "余分"]], "2行目: 列が見出しより多くあります"),
])
def test_a_bad_ledger_is_refused_in_japanese_and_nothing_is_written(tmp_path, rows, message):
    src = write(tmp_path / "ledger.csv", rows)
    with pytest.raises(CommandError, match=message):
        run(str(src), "--output", str(tmp_path / "pairs.csv"))
    assert not (tmp_path / "pairs.csv").exists()
    assert not list(tmp_path.glob(".match-file-*"))


def test_missing_files_and_folders_are_named(tmp_path):
    with pytest.raises(CommandError, match="ファイルを読めません"):
        run(str(tmp_path / "nothing.csv"), "--output", str(tmp_path / "pairs.csv"))
    src = write(tmp_path / "ledger.csv", LEDGER)
    with pytest.raises(CommandError, match="出力先のフォルダ"):
        run(str(src), "--output", str(tmp_path / "no" / "pairs.csv"))
    (tmp_path / "bytes.csv").write_bytes(b"id,name\n1,\xff\xfe\xfa\n")
    with pytest.raises(CommandError, match="文字コード"):
        run(str(tmp_path / "bytes.csv"), "--output", str(tmp_path / "pairs.csv"), "--encoding", "utf-8")
