"""The common indicator set (共通指標): the standard counts of the national program that every municipality can
report the same way, so a prefecture can compare its municipalities row by row.

Each municipality keeps its own KPIs (names, filters, targets: the profile's). A KPI may say which common
indicator it measures (`indicator:` in the profile); the prefecture export then reports that KPI's actual for
the indicator. An indicator no KPI maps onto is computed from the records with its standard definition below,
so every export carries every indicator. Pure data: no Django imports (the profile schema reads it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    area: str
    unit: str
    kind: str  # the KPI kind that computes the standard definition (evaluation.kpis)
    filters: dict = field(default_factory=dict)


INDICATORS: dict[str, Indicator] = {i.code: i for i in [
    Indicator("soudan_uketsuke", "相談受付件数（包括的相談支援）", "包括的相談支援", "件", "consultations_total"),
    Indicator("takikan_uketsuke", "多機関協働 受付件数", "多機関協働", "件", "multiagency_cases"),
    Indicator("plan_sakusei", "支援プラン作成件数", "多機関協働", "件", "plans_created"),
    Indicator("jusoteki_kaigi", "重層的支援会議 開催回数", "多機関協働", "回", "jusoteki_meetings_held"),
    Indicator("shien_kaigi", "支援会議（社会福祉法第106条の6）開催回数", "多機関協働", "回", "shien_meetings_held"),
    Indicator("outreach_haaku", "アウトリーチ 対象者把握件数", "アウトリーチ", "件", "outreach_targets"),
    Indicator("sanka_plan", "参加支援 プラン作成件数", "参加支援", "件", "participation_plans"),
    Indicator("chiiki_kyoten", "地域づくり 拠点数", "地域づくり", "か所", "places_count"),
    Indicator("shuketsu", "終結件数", "多機関協働", "件", "closures"),
]}
