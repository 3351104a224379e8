"""The statute table (法令の表): the national legal texts a meeting type can rest on.

R9: every legal-basis text a user sees comes from a profile or from this table, never from a template. A
profile's meeting type names one of these keys (`statute:`); the meeting page, the confidentiality pledge, the
legal basis stored per agenda item and the KPI counts by basis all read the entry.

Each entry says what the law lets the meeting do: whether its members may share a person's information without
that person's consent (`shares_without_consent`) and which clause binds the members to confidentiality
(`duty_clause`). Only statutes of this kind can ground a no-consent meeting (consent_rule not_required or
per_item); the profile validation refuses anything else.

Each of these statutes also punishes a breach of that duty (the meeting page says so).
Articles are cited as the statutes number them. Where the paragraph of a clause was added by a recent amendment
and its number could not be checked against the promulgated text, the article alone is cited (see `note`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Statute:
    key: str  # the key profiles use, e.g. "社会福祉法第106条の6"
    law: str  # 法令名
    article: str  # 条
    body: str  # the meeting the article establishes (法令上の名称)
    shares_without_consent: bool  # members may share information without the person's consent
    duty_clause: str  # the clause imposing the duty of confidentiality ("" = none)
    field: str  # 分野 (SPEC §4): 全分野, 介護, 子ども, 困窮, 障がい
    note: str = ""

    @property
    def citation(self) -> str:
        return f"{self.law}{self.article}"

    @property
    def item_basis_label(self) -> str:
        """How an agenda item discussed under this statute is labelled (the basis stored per item)."""
        return f"{self.citation}（{self.body}）"

    @property
    def duty_text(self) -> str:
        return f"{self.duty_clause}による守秘義務" if self.duty_clause else ""


# The consent basis of an agenda item (R2): not a statute, the person's own consent.
CONSENT_BASIS_LABEL = "本人同意"

SUPPORT_MEETING = "社会福祉法第106条の6"

STATUTES: dict[str, Statute] = {s.key: s for s in [
    Statute(SUPPORT_MEETING, "社会福祉法", "第106条の6", "支援会議", True, "社会福祉法第106条の6第5項", "全分野"),
    Statute("介護保険法第115条の48", "介護保険法", "第115条の48", "地域ケア会議", True, "介護保険法第115条の48第5項",
            "介護"),
    Statute("児童福祉法第25条の2", "児童福祉法", "第25条の2", "要保護児童対策地域協議会", True,
            "児童福祉法第25条の5", "子ども", note="情報提供の求めは第25条の3"),
    Statute("生活困窮者自立支援法第9条", "生活困窮者自立支援法", "第9条", "支援会議", True,
            "生活困窮者自立支援法第9条第5項", "困窮"),
    Statute("障害者総合支援法第89条の3", "障害者総合支援法", "第89条の3", "協議会", True, "障害者総合支援法第89条の3",
            "障がい", note="構成員の守秘義務は令和4年改正（令和6年4月施行）で加わった。項番号は条まで引用"),
]}


def statute(key: str | None) -> Statute | None:
    return STATUTES.get(key or "")
