import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.core.wareki import (
    fiscal_year_of,
    fiscal_year_range,
    format_fiscal_year,
    format_wareki,
    parse_fiscal_year,
)


@pytest.mark.parametrize(("date", "expected"), [
    (dt.date(2025, 4, 1), "令和7年4月1日"),
    (dt.date(2019, 5, 1), "令和元年5月1日"),
    (dt.date(2019, 4, 30), "平成31年4月30日"),
    (dt.date(1989, 1, 8), "平成元年1月8日"),
    (dt.date(1989, 1, 7), "昭和64年1月7日"),
    (dt.date(1926, 12, 25), "昭和元年12月25日"),
    (dt.date(1926, 12, 24), "大正15年12月24日"),
    (dt.date(1912, 7, 30), "大正元年7月30日"),
    (dt.date(1912, 7, 29), "明治45年7月29日"),
])
def test_it_formats_era_boundaries(date, expected):
    assert format_wareki(date) == expected


def test_it_adds_the_weekday():
    assert format_wareki(dt.date(2026, 11, 23), with_weekday=True) == "令和8年11月23日（月）"


@pytest.mark.parametrize(("fy", "label"), [
    (2025, "令和7年度"), (2023, "令和5年度"), (2019, "令和元年度"), (2018, "平成30年度"),
    (1989, "平成元年度"), (1988, "昭和63年度"),
])
def test_it_names_fiscal_years(fy, label):
    assert format_fiscal_year(fy) == label


def test_fiscal_year_turns_on_april_first():
    assert fiscal_year_of(dt.date(2025, 3, 31)) == 2024
    assert fiscal_year_of(dt.date(2025, 4, 1)) == 2025
    assert fiscal_year_range(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


@pytest.mark.parametrize(("text", "fy"), [
    ("令和7年度", 2025), ("R7", 2025), ("r7", 2025), ("２０２５", 2025), ("2025年度", 2025),
    ("令和元年度", 2019), ("平成30年度", 2018), ("Ｈ３０", 2018),
])
def test_it_parses_fiscal_years(text, fy):
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize("text", ["", "令和", "X7", "令和0年度", "abc"])
def test_it_rejects_unreadable_fiscal_years(text):
    with pytest.raises(ValueError, match="読めません"):
        parse_fiscal_year(text)


@given(st.integers(min_value=1869, max_value=2200))
def test_fiscal_year_labels_round_trip(fy):
    assert parse_fiscal_year(format_fiscal_year(fy)) == fy


@given(st.integers(min_value=1869, max_value=2199))
def test_fiscal_year_labels_are_distinct_and_ordered(fy):
    # Consecutive fiscal years never share a label.
    assert format_fiscal_year(fy) != format_fiscal_year(fy + 1)


@given(st.dates(min_value=dt.date(1868, 10, 23), max_value=dt.date(2200, 12, 31)))
def test_every_date_formats_and_lies_in_its_fiscal_year(date):
    text = format_wareki(date)
    assert text.endswith(f"{date.month}月{date.day}日")
    start, end = fiscal_year_range(fiscal_year_of(date))
    assert start <= date <= end


@given(st.dates(min_value=dt.date(1868, 10, 23), max_value=dt.date(2200, 12, 31)))
def test_wareki_year_matches_gregorian_year(date):
    import re

    era, n = re.match(r"(令和|平成|昭和|大正|明治)(元|\d+)年", format_wareki(date)).groups()
    n = 1 if n == "元" else int(n)
    starts = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}
    assert starts[era] + n - 1 == date.year


def test_aware_datetimes_are_read_in_japan_time():
    utc_evening = dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)  # 2026-04-01 01:00 JST
    assert format_wareki(utc_evening) == "令和8年4月1日"
    assert fiscal_year_of(utc_evening) == 2026


def test_each_era_ends_the_day_before_the_next_begins():
    from tsunagu.core.wareki import ERA_BY_NAME, era_end

    assert era_end(ERA_BY_NAME["平成"]) == dt.date(2019, 4, 30)
    assert era_end(ERA_BY_NAME["大正"]) == dt.date(1926, 12, 24)
    assert era_end(ERA_BY_NAME["令和"]) is None


def test_old_era_note_names_what_was_written_and_how_it_is_read():
    from tsunagu.core.wareki import old_era_note

    note = old_era_note("平成31年5月1日", dt.date(2019, 5, 1))
    assert note.startswith("「平成31年5月1日」は改元後の日付です。令和元年5月1日（2019年5月1日）として扱います")


def test_the_date_field_accepts_an_old_era_date_and_keeps_the_note_for_the_user():
    from tsunagu.core.forms import JapaneseDateField

    field = JapaneseDateField()
    assert field.clean("平成31年5月1日") == dt.date(2019, 5, 1)
    assert "令和元年5月1日" in field.note
    assert field.clean("令和元年5月1日") == dt.date(2019, 5, 1) and field.note == ""


def test_submit_shows_the_date_note_after_a_successful_save(rf):
    from django import forms
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from tsunagu.core.forms import JapaneseDateField, submit

    class Form(forms.Form):
        day = JapaneseDateField()

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    saved = []
    submit(request, Form({"day": "H31.5.1"}), lambda data: saved.append(data["day"]), success="保存しました",
           on_success=lambda result: None, on_error=lambda form: None)
    assert saved == [dt.date(2019, 5, 1)]
    shown = [(m.level_tag, str(m)) for m in get_messages(request)]
    assert shown[0] == ("success", "保存しました")
    assert shown[1][0] == "warning" and "「H31.5.1」は改元後の日付です" in shown[1][1]
