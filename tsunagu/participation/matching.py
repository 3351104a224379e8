"""Matching a person's needs sheet to the resource catalog: a score and the reasons, in Japanese, for each.

Needs decide whether a resource is a candidate at all; area, cost, accessibility, schedule and capacity move it
up or down and each adds a reason (＋ fits / － does not fit) so staff can explain the suggestion to the person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from .models import Placement, Resource


@dataclass
class Suggestion:
    resource: Resource
    score: int = 0
    reasons: list[str] = field(default_factory=list)  # "＋…" and "－…"
    participants: int = 0

    @property
    def fits(self) -> bool:
        return self.score > 0 and not any(r.startswith("－") for r in self.reasons)


def suggest(sheet, *, limit: int = 10) -> list[Suggestion]:
    if sheet is None or not sheet.needs:
        return []
    resources = (Resource.objects.filter(municipality_id=sheet.municipality_id, active=True)
                 .select_related("district", "place")
                 .annotate(participants=Count("placements", filter=Q(placements__status__in=[
                     Placement.STARTED, Placement.SETTLED]))))
    area = sheet.district.area if sheet.district_id else ""
    out = []
    for r in resources:
        common = [n for n in sheet.needs if n in r.needs]
        if not common:
            continue
        s = Suggestion(resource=r, participants=r.participants)
        s.score += 3 * len(common)
        s.reasons.append(f"＋ニーズ「{'・'.join(common)}」に対応しています")
        if sheet.district_id:
            if r.district_id == sheet.district_id:
                s.score += 2
                s.reasons.append(f"＋希望の地区（{sheet.district.name}）にあります")
            elif area and r.district_id and r.district.area == area:
                s.score += 1
                s.reasons.append(f"＋同じ圏域（{area}）にあります")
            else:
                s.reasons.append("・希望の地区の外です")
        if sheet.max_cost is not None:
            if r.cost <= sheet.max_cost:
                s.score += 1
                s.reasons.append("＋費用が上限内です（無料）" if r.cost == 0 else f"＋費用 {r.cost}円は上限内です")
            else:
                s.score -= 3
                s.reasons.append(f"－費用 {r.cost}円が上限（{sheet.max_cost}円）を超えます")
        for need in sheet.access_needs:
            if need in r.accessibility:
                s.score += 1
                s.reasons.append(f"＋「{need}」に対応しています")
            else:
                s.score -= 2
                s.reasons.append(f"－「{need}」の対応がありません")
        if sheet.available_days and r.days:
            days = [d for d in r.days if d in sheet.available_days]
            if days:
                s.score += 1
                s.reasons.append(f"＋{'・'.join(days)}曜日に参加できます")
            else:
                s.score -= 3
                s.reasons.append("－参加できる曜日と開催日が合いません")
        if r.capacity is not None and r.participants >= r.capacity:
            s.score -= 2
            s.reasons.append(f"－定員に達しています（{r.participants}／{r.capacity}人）")
        out.append(s)
    out.sort(key=lambda s: (-s.score, s.resource.name, s.resource.pk))
    return out[:limit]
