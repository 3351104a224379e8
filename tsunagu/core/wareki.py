"""和暦 (Japanese era) dates and 年度 (fiscal years, April–March)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    """A date as seen in Japan: aware datetimes are converted to Asia/Tokyo before taking the date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(JST)
        return value.date()
    return value


@dataclass(frozen=True)
class Era:
    name: str
    abbr: str  # M T S H R
    start: dt.date


ERAS: tuple[Era, ...] = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("明治", "M", dt.date(1868, 10, 23)),
)
ERA_BY_NAME = {e.name: e for e in ERAS} | {e.abbr: e for e in ERAS}


def era_end(era: Era) -> dt.date | None:
    """The last day of `era` (None for the current era): the day before the next era began."""
    newer = [e for e in ERAS if e.start > era.start]
    return min(newer, key=lambda e: e.start).start - dt.timedelta(days=1) if newer else None


# Forms printed before an era change keep being filled in with the old era's name (平成31年5月1日, 平成32年…);
# such a date is read on in the old era's count for this long after the change, and flagged to the user.
OLD_ERA_GRACE_YEARS = 3


def old_era_note(written: str, date: dt.date) -> str:
    """The note shown when a date was written in an era that had already ended on that day."""
    return (f"「{written}」は改元後の日付です。{format_wareki(date)}（{date.year}年{date.month}月{date.day}日）"
            "として扱います。誤りでないか確認してください")


def era_of(date: dt.date) -> Era:
    for era in ERAS:
        if date >= era.start:
            return era
    raise ValueError(f"{date} は明治より前の日付です")


def _year_label(n: int) -> str:
    return "元" if n == 1 else str(n)


def wareki_parts(date: dt.date) -> tuple[str, int]:
    era = era_of(date)
    return era.name, date.year - era.start.year + 1


def format_wareki(date: dt.date | dt.datetime | None, *, with_weekday: bool = False) -> str:
    """2025-04-01 → 令和7年4月1日; 2019-05-01 → 令和元年5月1日."""
    if date is None:
        return ""
    date = _local_date(date)
    era_name, n = wareki_parts(date)
    text = f"{era_name}{_year_label(n)}年{date.month}月{date.day}日"
    if with_weekday:
        text += f"（{'月火水木金土日'[date.weekday()]}）"
    return text


def fiscal_year_of(date: dt.date | dt.datetime) -> int:
    """The 年度 (as a western year) that contains `date`: April 1 starts a new fiscal year."""
    date = _local_date(date)
    return date.year if date.month >= 4 else date.year - 1


def fiscal_year_range(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal year (inclusive)."""
    return dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)


def fiscal_year_era(fiscal_year: int) -> tuple[str, int]:
    """Era name and number for a fiscal year.

    A fiscal year is named by the era in force on its first day (昭和63年度 = April 1988 – March 1989),
    except that an era beginning during the fiscal year's first calendar year names that year as its 元年度,
    as government practice did for 令和元年度 (FY2019, which began under 平成).
    """
    start = dt.date(fiscal_year, 4, 1)
    for era in ERAS:
        if era.start <= start or era.start.year == fiscal_year:
            return era.name, fiscal_year - era.start.year + 1
    raise ValueError(f"{fiscal_year}年度 は明治より前です")


def format_fiscal_year(fiscal_year: int) -> str:
    """2025 → 令和7年度; 2019 → 令和元年度."""
    era_name, n = fiscal_year_era(fiscal_year)
    return f"{era_name}{_year_label(n)}年度"


def parse_fiscal_year(text: str) -> int:
    """'令和7年度', 'R7', '2025', '2025年度', '令和元年度' → 2025 / 2019."""
    import re
    import unicodedata

    s = unicodedata.normalize("NFKC", str(text)).strip().replace("年度", "")
    if re.fullmatch(r"\d{4}", s):
        return int(s)
    m = re.fullmatch(r"(令和|平成|昭和|大正|明治|[RHSTMrhstm])\s*(元|\d{1,3})", s)
    if not m:
        raise ValueError(f"年度 {text!r} を読めません（例: 令和7年度, R7, 2025）")
    era = ERA_BY_NAME[m.group(1).upper() if len(m.group(1)) == 1 else m.group(1)]
    n = 1 if m.group(2) == "元" else int(m.group(2))
    if n < 1:
        raise ValueError(f"年度 {text!r} を読めません")
    return era.start.year + n - 1
