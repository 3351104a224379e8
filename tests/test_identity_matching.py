"""名寄せ scoring: every variant class of the issue matches; different people sharing a common name do not."""

import datetime as dt

import pytest

from tsunagu.core.text import parse_date
from tsunagu.identity import matching
from tsunagu.identity.matching import REVIEW, SUGGEST, Features, Frequencies, blocking_keys, compare, features

PREFIX = ("射水市",)
BASE = {"name": "高橋 一郎", "kana": "タカハシ イチロウ", "birth_date": dt.date(1980, 3, 1),
        "address": "富山県射水市小島一丁目2番3号", "phone": "0766-83-7171", "sex": "male"}
TF = Frequencies(50_000)


def rec(id=1, **changes):
    return features(id, drop_prefixes=PREFIX, **{**BASE, **changes})


def score(a: Features, b: Features, tf=TF):
    """(score, reason codes) with the default parameters (what a municipality uses before its first batch run)."""
    s, why = compare(a, b, tf, explain=True)
    return s, [r.code for r in why]


def shares_block(a, b):
    return bool(set(blocking_keys(a)) & set(blocking_keys(b)))


VARIANTS = {
    "髙橋/高橋": {"name": "髙橋 一郎"},
    "山﨑/山崎": ({"name": "山崎 花子", "kana": "ヤマザキ ハナコ"}, {"name": "山﨑 花子", "kana": "ヤマザキ ハナコ"}),
    "渡邊/渡辺": ({"name": "渡辺 健", "kana": "ワタナベ ケン"}, {"name": "渡邊 健", "kana": "ワタナベ ケン"}),
    "渡邉/渡辺": ({"name": "渡辺 健", "kana": "ワタナベ ケン"}, {"name": "渡邉　健", "kana": "ワタナベ ケン"}),
    "齋藤/斎藤": ({"name": "斎藤 恵", "kana": "サイトウ メグミ"}, {"name": "齋藤 恵", "kana": "サイトウ メグミ"}),
    "半角カナ": {"kana": "ﾀｶﾊｼ ｲﾁﾛｳ"},
    "ひらがな": {"kana": "たかはし いちろう"},
    "和暦": {"birth_date": parse_date("昭和55年3月1日")},
    "和暦略記": {"birth_date": parse_date("S55.3.1")},
    "住所 1-2-3": {"address": "射水市小島1-2-3"},
    "住所 全角": {"address": "射水市小島１－２－３"},
    "建物名あり": {"address": "射水市小島1丁目2-3 コーポ山田201号室"},
    "都道府県なし": {"address": "射水市小島一丁目２番３号"},
    "電話 ハイフンなし": {"phone": "0766837171"},
    "電話 全角": {"phone": "０７６６（８３）７１７１"},
    "フリガナ誤記": {"kana": "タカハシ イチロ"},
    "氏名誤記": {"name": "高橋 一朗"},
    "フリガナなし": {"kana": ""},
    "電話なし": {"phone": ""},
    "住所なし": {"address": ""},
    "生年月日なし": {"birth_date": None},
    "生年月日の1桁違い": {"birth_date": dt.date(1980, 3, 11)},
    "月日の入れ替え": {"birth_date": dt.date(1980, 1, 3)},
    "転居（電話は同じ）": {"address": "射水市中太閤山5-6-7"},
    "転居・改姓（住所・電話はそのまま）": {"name": "佐藤 一郎", "kana": "サトウ イチロウ"},
    "聞き違い＋電話なし": {"kana": "タカハシ イチオウ", "phone": ""},
}


@pytest.mark.parametrize("label", list(VARIANTS))
def test_it_matches_each_variant_class(label):
    v = VARIANTS[label]
    a, b = (rec(1, **v[0]), rec(2, **v[1])) if isinstance(v, tuple) else (rec(1), rec(2, **v))
    s, why = score(a, b)
    assert shares_block(a, b), label
    assert s >= SUGGEST, (label, s, why)


def test_it_proposes_a_surname_change_on_marriage_for_review():
    a = rec(1, name="田中 花子", kana="タナカ ハナコ", sex="female")
    b = rec(2, name="鈴木 花子", kana="スズキ ハナコ", sex="female")  # same birth date, address and phone
    s, why = score(a, b)
    assert shares_block(a, b)
    assert s >= SUGGEST  # the same birth date, address and phone let the new surname through
    assert "name_given_same" in why
    moved = rec(3, name="鈴木 花子", kana="スズキ ハナコ", sex="female", address="射水市本町2-1-1", phone="")
    s, why = score(a, moved)
    assert REVIEW <= s < SUGGEST and "name_given_same" in why  # marriage and a move: a review case
    same_address = rec(4, name="鈴木 花子", kana="スズキ ハナコ", sex="female", phone="")
    assert score(a, same_address)[0] < SUGGEST  # the home is only half there: not enough either


def test_namesakes_with_nothing_else_in_common_are_a_review_case_never_a_suggestion():
    a = rec(1, name="九十九 一郎", kana="ツクモ イチロウ")  # a rare name: the odds alone would suggest it
    for other in ({"address": "射水市本町3-4-5", "phone": "0766-51-0000"}, {"address": "", "phone": ""},
                  {"address": "射水市本町3-4-5", "phone": ""}):
        b = rec(2, name="九十九 一郎", kana="ツクモ イチロウ", **other)
        s, why = score(a, b)
        assert REVIEW <= s < SUGGEST and "namesake" in why, other
    # anything else in common lets it through: the same phone after a move, or the same town
    assert score(a, rec(2, name="九十九 一郎", kana="ツクモ イチロウ", address="射水市本町3-4-5"))[0] >= SUGGEST
    assert score(a, rec(2, name="九十九 一郎", kana="ツクモ イチロウ", address="射水市小島5-6-7", phone=""))[0] >= SUGGEST


def test_it_never_merges_different_people_sharing_a_common_name_and_birth_year():
    tf = Frequencies(500_000, nk={"佐藤太郎": 400}, kk={"サトウタロウ": 450})
    a = features(1, name="佐藤 太郎", kana="サトウ タロウ", birth_date=dt.date(1980, 3, 1),
                 address="射水市小島1-2-3", phone="0766-83-7171", drop_prefixes=PREFIX)
    for other in (dt.date(1980, 9, 12), dt.date(1980, 3, 25), dt.date(1980, 11, 1)):
        b = features(2, name="佐藤 太郎", kana="サトウ タロウ", birth_date=other, address="射水市本町3-4-5",
                     phone="0766-51-0000", drop_prefixes=PREFIX)
        assert score(a, b, tf)[0] < REVIEW, other


def test_it_weights_common_names_less_and_says_so():
    tf = Frequencies(500_000, nk={"佐藤太郎": 400}, kk={"サトウタロウ": 450})
    common = [features(i, name="佐藤 太郎", kana="サトウ タロウ") for i in (1, 2)]
    rare = [features(i, name="九十九 太郎", kana="ツクモ タロウ") for i in (1, 2)]
    s_common, why = score(*common, tf)
    assert s_common < compare(*rare, tf)[0]
    assert "common_name" in why


def test_it_keeps_household_members_and_twins_apart():
    parent = rec(1, name="高橋 和子", kana="タカハシ カズコ", birth_date=dt.date(1950, 6, 1), sex="female")
    child = rec(2)
    twin = rec(3, name="高橋 二郎", kana="タカハシ ジロウ")
    assert score(parent, child)[0] < REVIEW
    assert score(child, twin)[0] < REVIEW


def test_it_explains_in_japanese():
    s, why = compare(rec(1), rec(2, kana="ﾀｶﾊｼ ｲﾁﾛｳ"), TF, explain=True)
    text = matching.explain(why)
    labels = [t.rsplit(" ", 1)[0] for t in text]
    assert labels == ["事前の見込み（記録の件数と重複の多さから）", "氏名・フリガナ一致（異体字・表記ゆれは同一視）", "生年月日一致",
                      "住所・電話番号一致"]
    # every reason shows the bits it added, and the bits (with the sex level, not shown when it agrees) are the score
    bits = [float(t.rsplit(" ", 1)[1]) for t in text]
    sex = matching.default_model(TF.total).weight("sex", matching.S_SAME)
    assert sum(bits) + sex == pytest.approx(s, abs=0.3)


def test_batch_finds_variants_and_households_but_not_namesakes():
    records = [
        rec(1), rec(2, name="髙橋 一郎", kana="ﾀｶﾊｼ ｲﾁﾛｳ", address="射水市小島1-2-3", phone="0766837171"),
        rec(3, name="高橋 和子", kana="タカハシ カズコ", birth_date=dt.date(1950, 6, 1), sex="female"),
        rec(4, birth_date=dt.date(1980, 9, 12), address="射水市本町3-4-5", phone="0766-51-0000"),
    ]
    result = matching.find_matches(records)
    assert [(a, b) for a, b, _ in result.pairs] == [(1, 2)]
    assert set(result.households) == {(1, 3), (2, 3)}


def test_osa_distance():
    assert matching.osa_within("タカハシ", "タハカシ", 1)  # adjacent swap
    assert matching.osa_within("タカハシ", "タカハ", 1)
    assert not matching.osa_within("タカハシ", "タナカ", 1)
    assert matching.osa_within("ワタナベイチロウ", "ワタベイチロウ", 2)
