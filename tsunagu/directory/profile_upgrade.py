"""Upgrade a version 1 profile (as parsed YAML) to version 2, saying what each change is and why.

Version 2 says things version 1 could not (statutory basis of a meeting, whether it takes case items, sites,
projects, the plan period, outreach sources, common indicators). The upgrade fills what can be read off a v1
file and explains every change; anything it cannot decide is left for the validation to report. Nothing
here touches a database: `profile validate` prints the changes, `profile load` loads the upgraded data.
"""

from __future__ import annotations

import copy

from .statutes import STATUTES, SUPPORT_MEETING

# v1 KPI kinds that measure a common indicator when the KPI has no filters (the standard definition).
_INDICATOR_OF_KIND = {
    "consultations_total": "soudan_uketsuke", "multiagency_cases": "takikan_uketsuke",
    "plans_created": "plan_sakusei", "jusoteki_meetings_held": "jusoteki_kaigi",
    "shien_meetings_held": "shien_kaigi", "outreach_targets": "outreach_haaku",
    "participation_plans": "sanka_plan", "closures": "shuketsu",
}


def statute_in(text: str | None) -> str | None:
    """The statute-table key a free-text legal basis cites, e.g. 「生活困窮者自立支援法第9条」→ that key;
    「社会福祉法第106条の4第2項…」 cites no table entry (the next character continues the article number)."""
    text = (text or "").replace(" ", "").replace("　", "")
    for key in sorted(STATUTES, key=len, reverse=True):
        at = text.find(key)
        if at >= 0:
            nxt = text[at + len(key): at + len(key) + 1]
            if not (nxt.isdigit() or nxt == "の"):
                return key
    return None


def _meeting(mt: dict, path: str, changes: list[tuple[str, str]]) -> dict:
    out = dict(mt)
    rule = out.get("consent_rule")
    kind = out.get("kind")
    key = statute_in(out.get("legal_basis"))
    if key and "statute" not in out:
        out["statute"] = key
        if out.get("legal_basis", "").replace(" ", "") == key:
            out.pop("legal_basis")
        changes.append((f"{path}.statute", f"legal_basis の「{key}」を法令の表の根拠（statute: {key}）にしました"))
    law = STATUTES.get(out.get("statute") or "")
    if kind == "支援会議" and law and law.key != SUPPORT_MEETING:
        out["kind"] = "分野別会議"
        changes.append((f"{path}.kind", f"{law.citation} の会議は社会福祉法第106条の6の支援会議ではないので kind を"
                        "分野別会議にしました（支援会議の開催回数には数えず、議題の根拠は"
                        f"「{law.item_basis_label}」になります）"))
    elif kind == "その他" and law and law.key != SUPPORT_MEETING:
        out["kind"] = "分野別会議"
        changes.append((f"{path}.kind", f"{law.citation} に基づく会議なので kind を その他 から 分野別会議 にしました"))
    if rule == "per_item" and not out.get("confidentiality_duty"):
        out["consent_rule"] = rule = "required"
        changes.append((f"{path}.consent_rule", "議題ごとに根拠を選ぶ会議（per_item）でしたが構成員に守秘義務が"
                        "ないため、同意のない議題を誰も見られませんでした。本人同意が必要な会議（required）に"
                        "しました"))
    if law and law.duty_clause and not out.get("confidentiality_duty"):
        out["confidentiality_duty"] = True
        changes.append((f"{path}.confidentiality_duty", f"{law.duty_clause} により構成員に守秘義務があるので true "
                        "にしました"))
    if "takes_case_items" not in out:
        takes = rule != "none"
        out["takes_case_items"] = takes
        if takes and out.get("kind") in ("その他", "部会", "分野別会議"):
            changes.append((f"{path}.takes_case_items", "個人情報を扱う会議なので事例を議題にできるようにしました"
                            "（v1 ではこの区分の会議は事例を扱えませんでした）"))
        elif takes:
            changes.append((f"{path}.takes_case_items", "事例を議題にする会議（true）としました"))
    return out


def upgrade(data: dict) -> tuple[dict, list[tuple[str, str]]]:
    """(version 2 data, [(path, explanation), …]) for a version 1 profile."""
    out = copy.deepcopy(data)
    changes: list[tuple[str, str]] = [("schema_version", "書式を第2版にしました（schema_version: 2）")]
    out["schema_version"] = 2
    if isinstance(out.get("meeting_types"), list):
        out["meeting_types"] = [_meeting(mt, f"meeting_types[{i}]", changes) if isinstance(mt, dict) else mt
                                for i, mt in enumerate(out["meeting_types"])]
    taken: set[str] = set()
    for i, kpi in enumerate(out.get("kpis") or []):
        if not isinstance(kpi, dict) or "indicator" in kpi or kpi.get("filters"):
            continue
        indicator = _INDICATOR_OF_KIND.get(kpi.get("kind"))
        if indicator and indicator not in taken:
            kpi["indicator"] = indicator
            taken.add(indicator)
            changes.append((f"kpis[{i}].indicator", f"条件のない {kpi.get('kind')} なので共通指標 {indicator} に"
                            "対応させました"))
    if "outreach" not in out and out.get("kind", "municipality") == "municipality":
        changes.append(("outreach", "アウトリーチの情報源は書かれていないので標準の一覧を使います"
                        "（outreach.sources で市の一覧に置き換えられます）"))
    if "plan" not in out and out.get("kind", "municipality") == "municipality":
        changes.append(("plan", "計画期間（plan.from_year / to_year）と評価を行う会議（plan.review_body）を"
                        "書いてください（第2版で書けるようになりました）"))
    return out, changes
