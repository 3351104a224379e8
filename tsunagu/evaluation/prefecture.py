"""Statistics for the prefecture (都道府県): a municipality exports aggregated, non-identifying figures with
small counts suppressed; the prefecture imports them. Prefecture users never see case data — only these files.

File format `tsunagu-stats/2` (JSON):
    {"format": "tsunagu-stats/2", "municipality": {"code": "123456", "name": "○○市"}, "fiscal_year": 2025,
     "generated_at": "...",
     "figures": [{"code", "name", "area", "unit", "value": 12 | "<3" | null}],      # the city's own KPIs
     "indicators": [{"code", "name", "unit", "value", "source": "kpi:<code>" | "standard"}]}  # common set
`figures` are the municipality's own KPIs; `indicators` the common set (indicators.py), the same rows for every
municipality, which the prefecture compares side by side. Version 1 files (figures only) still import.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.core.wareki import fiscal_year_range
from tsunagu.directory.models import PrefectureMember
from tsunagu.privacy.audit import log_action

from .indicators import INDICATORS
from .kpis import actual_for, fiscal_year_rows
from .models import KpiDefinition, PrefectureStat

FORMAT = "tsunagu-stats/2"
FORMATS = {"tsunagu-stats/1", FORMAT}
SUPPRESS_BELOW = 3
COUNT_UNITS = {"件", "回", "人", "か所", "地域", "グループ"}
TOP_KEYS = {"format", "municipality", "fiscal_year", "generated_at", "figures", "indicators"}
FIGURE_KEYS = {"code", "name", "area", "unit", "value"}
INDICATOR_KEYS = {"code", "name", "unit", "value", "source"}
IDENTIFYING = {"person", "persons", "name_kana", "kana", "birth_date", "address", "phone", "氏名", "住所", "生年月日",
               "電話", "cases", "consultations", "records"}


class StatsError(DomainError):
    pass


def _suppress(value, unit: str):
    if value is None:
        return None
    if unit in COUNT_UNITS and 0 < value < SUPPRESS_BELOW:
        return f"<{SUPPRESS_BELOW}"
    return value


def common_indicators(municipality, fiscal_year: int, rows=None) -> list[dict]:
    """Every indicator of the common set: the actual of the KPI the profile maps onto it, else the standard
    definition computed from the records (so each municipality reports every row)."""
    rows = fiscal_year_rows(municipality, fiscal_year) if rows is None else rows
    mapped = {r.kpi.indicator: r for r in rows if r.kpi.indicator}
    start, end = fiscal_year_range(fiscal_year)
    out = []
    for ind in INDICATORS.values():
        row = mapped.get(ind.code)
        if row is not None:
            value, source = row.actual, f"kpi:{row.kpi.code}"
        else:
            standard = KpiDefinition(municipality=municipality, code=ind.code, name=ind.name, kind=ind.kind,
                                     area=ind.area, unit=ind.unit, filters=dict(ind.filters))
            value, source = actual_for(standard, start, end), "standard"
        out.append({"code": ind.code, "name": ind.name, "unit": ind.unit,
                    "value": _suppress(value, ind.unit), "source": source})
    return out


def export_stats(municipality, fiscal_year: int, *, actor=None) -> bytes:
    rows = fiscal_year_rows(municipality, fiscal_year)
    figures = [{"code": r.kpi.code, "name": r.kpi.name, "area": r.kpi.area, "unit": r.kpi.unit,
                "value": _suppress(r.actual, r.kpi.unit)} for r in rows]
    indicators = common_indicators(municipality, fiscal_year, rows)
    data = {"format": FORMAT, "municipality": {"code": municipality.code, "name": municipality.name},
            "fiscal_year": fiscal_year, "generated_at": timezone.now().isoformat(), "figures": figures,
            "indicators": indicators}
    log_action("prefecture.stats_exported", actor=actor, municipality=municipality,
               actor_label="" if actor else "(コマンド)",
               detail={"fiscal_year": fiscal_year, "figures": len(figures), "indicators": len(indicators)})
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _text(value, limit: int) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= limit


def _problems(data) -> list[str]:
    problems = []
    if not isinstance(data, dict):
        return ["ファイルの形式が正しくありません（JSON のオブジェクトではありません）"]
    for key in data:
        if key in IDENTIFYING:
            problems.append(f"{key}: 個人を識別できる項目は取り込めません")
        elif key not in TOP_KEYS:
            problems.append(f"{key}: 未知の項目です")
    if data.get("format") not in FORMATS:
        problems.append(f"format: {FORMAT} 形式のファイルではありません")
    m = data.get("municipality")
    if (not isinstance(m, dict) or set(m) - {"code", "name"} or not _text(m.get("name"), 64)
            or not (m.get("code") is None or _text(m.get("code"), 6))):
        problems.append("municipality: 団体コードと名称（code, name）だけを文字列で書いてください")
    if not isinstance(data.get("fiscal_year"), int) or not 2000 <= data["fiscal_year"] <= 2100:
        problems.append("fiscal_year: 年度（西暦）が正しくありません")
    figures = data.get("figures")
    if not isinstance(figures, list):
        return problems + ["figures: 指標の一覧がありません"]
    problems += _rows_problems("figures", figures, FIGURE_KEYS)
    indicators = data.get("indicators", [])
    if not isinstance(indicators, list):
        return problems + ["indicators: 共通指標の一覧ではありません"]
    problems += _rows_problems("indicators", indicators, INDICATOR_KEYS)
    for i, f in enumerate(indicators):
        if isinstance(f, dict) and f.get("code") not in INDICATORS:
            problems.append(f"indicators[{i}].code: 共通指標 {f.get('code')!r} はありません")
    return problems


def _rows_problems(section: str, rows: list, keys: set[str]) -> list[str]:
    problems = []
    for i, f in enumerate(rows):
        if not isinstance(f, dict):
            problems.append(f"{section}[{i}]: 形式が正しくありません")
            continue
        for key in f:
            if key in IDENTIFYING:
                problems.append(f"{section}[{i}].{key}: 個人を識別できる項目は取り込めません")
            elif key not in keys:
                problems.append(f"{section}[{i}].{key}: 未知の項目です")
        # Each text as the table can hold it: a nested object or an overlong text is the file's mistake.
        for key, limit, required in (("code", 64, True), ("name", 200, False), ("area", 20, False),
                                     ("unit", 20, False)):
            if key in keys and (required or key in f) and not _text(f.get(key), limit):
                problems.append(f"{section}[{i}].{key}: {limit}文字以内の文字列で書いてください")
        if not isinstance(f.get("unit"), str | None):
            continue  # reported above; an unhashable unit cannot be looked up below
        value = f.get("value")
        if value is None or value == f"<{SUPPRESS_BELOW}":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not -1e15 < value < 1e15:
            problems.append(f"{section}[{i}].value: 数値か \"<3\" を書いてください")
        elif f.get("unit") in COUNT_UNITS and 0 < value < SUPPRESS_BELOW:
            problems.append(f"{section}[{i}].value: 3未満の件数（{value:g}）は「<3」として秘匿してください")
        elif value < 0:
            problems.append(f"{section}[{i}].value: 負の値は書けません")
    return problems


@transaction.atomic
def import_stats(prefecture, raw: bytes, *, actor=None) -> tuple[PrefectureMember, int]:
    """Validate a whole file, then store it; a file with any problem stores nothing."""
    if prefecture.kind != "prefecture":
        raise StatsError("取り込めるのは都道府県だけです")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StatsError(f"JSON として読めません: {exc}") from None
    except RecursionError:
        raise StatsError("JSON の入れ子が深すぎます") from None
    problems = _problems(data)
    member = None
    if not problems:
        m = data["municipality"]
        member = (PrefectureMember.objects.filter(municipality=prefecture, active=True, code=m.get("code")).first()
                  if m.get("code") else None) or PrefectureMember.objects.filter(
            municipality=prefecture, active=True, name=m["name"]).first()
        if member is None:
            problems.append(f"municipality: {m['name']} は {prefecture.name} の管内市町村として登録されていません")
    if problems:
        raise StatsError("取り込めません。\n" + "\n".join(problems))
    count = 0
    rows = [(PrefectureStat.OWN, f) for f in data["figures"]]
    rows += [(PrefectureStat.COMMON, f) for f in data.get("indicators", [])]
    for scope, f in rows:
        suppressed = f.get("value") == f"<{SUPPRESS_BELOW}"
        area = f.get("area", "") if scope == PrefectureStat.OWN else INDICATORS[f["code"]].area
        PrefectureStat.objects.update_or_create(
            member=member, fiscal_year=data["fiscal_year"], scope=scope, code=f["code"],
            defaults={"municipality": prefecture, "name": f.get("name", f["code"]), "area": area,
                      "unit": f.get("unit", ""), "suppressed": suppressed, "source": f.get("source", ""),
                      "value": None if suppressed else f.get("value")})
        count += scope == PrefectureStat.OWN
    log_action("prefecture.stats_imported", actor=actor, municipality=prefecture,
               actor_label="" if actor else "(コマンド)",
               detail={"member": member.name, "fiscal_year": data["fiscal_year"], "figures": count})
    return member, count
