"""Typed schema of a municipality profile (自治体プロファイル), format version 2.

A profile is one YAML file that describes everything that differs between municipalities: names of the
program, roles and meetings (R9), districts (地区・圏域), agencies (and sites of one agency kind run by several
operators), 事業 (projects, which are not referral destinations), roles and staffing, meeting types with their
statutory basis (statutes.py), the plan period and its review body, outreach information sources, KPI
definitions with fiscal-year targets and the common indicator each maps onto. Validation is strict: unknown
keys, duplicate codes, broken references, impossible years and contradictions (a no-consent meeting whose
members have no duty of confidentiality) are errors, each reported with the path to the bad value.

Version 1 files are upgraded by profile_upgrade.py, which explains every change it makes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tsunagu.evaluation.indicators import INDICATORS

from .statutes import STATUTES

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]

# Generic role kinds the code knows. The labels are neutral on purpose: what a user reads is the profile's own
# role name (R9, names.role_title); these labels appear only where a profile names no role of that kind.
ROLE_KINDS = {
    "intake": "窓口担当",
    "liaison": "つなぎの調整担当",
    "coordinator": "多機関協働の担当",
    "outreach": "アウトリーチの担当",
    "participation": "参加支援の担当",
    "community": "地域づくりの担当",
    "meeting_member": "会議構成員",
    "steward": "名寄せデータ管理責任者",
    "manager": "事業の管理者",
    "prefecture": "都道府県の担当",
    "admin": "システム管理者",
}
RoleKind = Literal[
    "intake", "liaison", "coordinator", "outreach", "participation", "community",
    "meeting_member", "steward", "manager", "prefecture", "admin",
]
AgencyField = Literal["介護", "障がい", "子ども", "困窮", "その他"]
AgencyKind = Literal["包括的相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "庁内各課", "外部"]
Management = Literal["直営", "委託", "補助", "指定", "その他"]
# 分野別会議: a meeting established by a sector law (介護保険法, 児童福祉法, 生活困窮者自立支援法, 障害者総合支援法 …)
# that may hold case items under its own statute (statutes.py).
MeetingKind = Literal["重層的支援会議", "支援会議", "統合会議", "分野別会議", "全体会議", "連絡会議", "推進会議", "部会",
                      "その他"]
ConsentRule = Literal["required", "not_required", "per_item", "none"]
KpiArea = Literal["包括的相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "全体"]
# Information sources of outreach (SPEC §2.7) when a profile does not list its own.
DEFAULT_OUTREACH_SOURCES = ["民生委員", "自治会", "水道検針", "郵便局", "債権管理・滞納", "消費生活センター",
                            "学校（SSW）", "近隣住民", "家族・親族", "関係機関", "その他"]
# KPI kinds whose actuals the evaluation app computes from records; "manual" is entered by hand.
KPI_KINDS = {
    "multiagency_cases": "多機関協働につながったケース数",
    "plans_created": "支援プラン作成件数",
    "jusoteki_meetings_held": "重層的支援会議開催回数",
    "shien_meetings_held": "支援会議開催回数",
    "meetings_held": "会議の開催回数（会議の種類・根拠法で指定）",
    "case_items": "会議で検討した事例の件数（議題の根拠ごと）",
    "outreach_targets": "アウトリーチ対象者把握件数",
    "participation_plans": "参加支援プラン作成件数",
    "consultations_total": "延べ相談件数",
    "consultations_new": "新規相談件数",
    "referrals_returned": "差し戻されたつなぎ件数",
    "median_days_to_plan": "相談からプラン作成までの日数（中央値）",
    "closures": "終結件数",
    "placements_active_3m": "3か月後も継続中の参加件数",
    "places_count": "拠点数",
    "place_users": "拠点の延べ利用者数",
    "community_projects": "地域づくり事業の実施地域数",
    "manual": "手入力の指標",
}
KpiKind = Literal[tuple(KPI_KINDS)]  # type: ignore[valid-type]
# The filter keys each computed kind understands; any other key is refused rather than silently ignored.
KPI_FILTERS = {
    "plans_created": {"include_revisions"},
    "jusoteki_meetings_held": {"meeting_types"},
    "shien_meetings_held": {"meeting_types"},
    "meetings_held": {"meeting_types", "statute"},
    "case_items": {"basis", "meeting_types"},
    "consultations_total": {"agencies", "field"},
    "consultations_new": {"agencies", "field"},
    "closures": {"status"},
    "places_count": {"place_kind", "places", "project"},
    "place_users": {"place_kind", "places", "project"},
    "community_projects": {"place_kind", "places", "project"},
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Names(Strict):
    """Names shown in the UI (R9): never hard-coded."""

    program: str = Field(min_length=1, description="事業の愛称")
    program_formal: str = Field(min_length=1, description="正式名 e.g. ○○市重層的支援体制整備事業")
    department: str | None = Field(default=None, description="所管課 e.g. 福祉保健部地域福祉課")


def _check_fiscal_year(year: int) -> int:
    if not 1989 <= year <= 2100:
        raise ValueError(f"年度 {year} は範囲外です (1989〜2100 の西暦で書いてください)")
    return year


class Plan(Strict):
    """実施計画: its period (fiscal years) and the body that reviews it each year (e.g. a 審議会)."""

    title: str | None = Field(default=None, description="計画名")
    from_year: int = Field(description="計画期間の最初の年度（西暦）")
    to_year: int = Field(description="計画期間の最後の年度（西暦）")
    review_body: Code | None = Field(default=None, description="毎年度の評価を行う会議（meeting_types のコード）")
    review_label: str | None = Field(default=None, description="評価を行う会議がプロファイルにない場合の名前")
    review_cadence: str | None = Field(default=None, description="評価の頻度 e.g. 毎年度1回")

    @field_validator("from_year", "to_year")
    @classmethod
    def _years(cls, v: int) -> int:
        return _check_fiscal_year(v)

    @model_validator(mode="after")
    def _order(self) -> Plan:
        if self.to_year < self.from_year:
            raise ValueError(f"計画期間の終わり（{self.to_year}）が始まり（{self.from_year}）より前です")
        if self.review_body and self.review_label:
            raise ValueError("review_body か review_label のどちらか一つを書いてください")
        return self


class Outreach(Strict):
    sources: list[str] = Field(min_length=1, description="アウトリーチの情報源（民生委員・水道検針・郵便局 …）")

    @field_validator("sources")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        seen = [s for i, s in enumerate(v) if s in v[:i]]
        if seen:
            raise ValueError(f"情報源 {seen[0]!r} が重複しています")
        if any(not s.strip() or len(s) > 40 for s in v):
            raise ValueError("情報源の名前は1〜40文字で書いてください")
        return v


class District(Strict):
    """地区 / 圏域. `match` lists address fragments (after the city name) that belong to this district."""

    code: Code
    name: str = Field(min_length=1)
    area: str | None = Field(default=None, description="圏域 (e.g. 日常生活圏域, 小域福祉圏)")
    match: list[str] = Field(default_factory=list, description="住所の町名・字名（先頭一致、町名の区切りまで）")
    note: str | None = None

    def match_keys(self) -> list[str]:
        if self.match:
            return list(self.match)
        base = self.name
        for suffix in ("地区", "地域"):
            if base.endswith(suffix) and len(base) > len(suffix):
                base = base[: -len(suffix)]
        return [base]


class Site(Strict):
    """One site (か所) of an agency kind, e.g. one of five 地域包括支援センター; a referral destination."""

    code: Code
    name: str = Field(min_length=1)
    operator: str | None = Field(default=None, description="このか所の受託法人・運営主体")
    districts: list[Code] | Literal["all"] = Field(default="all", description="担当地区 (all = 全市)")
    address: str | None = None
    phone: str | None = Field(default=None, pattern=r"^[0-9０-９\-ー（）() ]+$")
    note: str | None = None


class Agency(Strict):
    """相談支援機関・関係機関. With `sites`, the entry is an agency kind run at several sites (か所) by one or more
    operators (「地域包括支援センター 5か所、委託先 3法人」): each site is an agency of its own for referrals,
    sharing the fields, kinds, management, legal basis and department written here."""

    code: Code
    name: str = Field(min_length=1)
    fields: list[AgencyField] = Field(min_length=1, description="分野")
    kinds: list[AgencyKind] = Field(min_length=1, description="種別")
    operator: str | None = Field(default=None, description="運営主体・受託法人")
    operators: list[str] = Field(default_factory=list, description="sites を持つ場合: 受託法人の一覧")
    management: Management = Field(description="直営／委託")
    legal_basis: str | None = Field(default=None, description="根拠法")
    department: str | None = Field(default=None, description="担当課")
    districts: list[Code] | Literal["all"] = Field(default="all", description="担当地区 (all = 全市)")
    address: str | None = None
    phone: str | None = Field(default=None, pattern=r"^[0-9０-９\-ー（）() ]+$")
    sites: list[Site] = Field(default_factory=list, description="か所（それぞれがつなぎ先）")
    note: str | None = None

    @model_validator(mode="after")
    def _group(self) -> Agency:
        if self.sites:
            if self.address or self.phone or self.operator or self.districts != "all":
                raise ValueError("sites を持つ機関には operator・districts・address・phone を書けません"
                                 "（か所ごとに sites の中に書いてください）")
            unknown = [s.operator for s in self.sites if s.operator and self.operators
                       and s.operator not in self.operators]
            if unknown:
                raise ValueError(f"か所の受託法人 {unknown[0]!r} が operators にありません")
        elif self.operators:
            raise ValueError("operators は sites を持つ機関にだけ書けます（一つの機関は operator に書きます）")
        return self


class Project(Strict):
    """事業: a program of the plan (e.g. 生活支援体制整備事業) with its 担当課, operator and 直営／委託. A project is not
    an agency: it is never offered as a referral destination."""

    code: Code
    name: str = Field(min_length=1)
    area: KpiArea = Field(description="事業区分")
    department: str | None = Field(default=None, description="担当課")
    operator: str | None = Field(default=None, description="実施主体・受託法人")
    management: Management = Field(description="直営／委託")
    legal_basis: str | None = Field(default=None, description="根拠法")
    agencies: list[Code] = Field(default_factory=list, description="この事業を行う機関（agencies のコード）")
    note: str | None = None


class Role(Strict):
    code: Code
    kind: RoleKind
    name: str = Field(min_length=1)
    staffing: int | None = Field(default=None, ge=0, description="配置人数")
    agencies: list[Code] = Field(default_factory=list, description="配置先機関")
    description: str | None = None


class MemberRef(Strict):
    """A default meeting member: an agency, a role, or a free label (e.g. 民生委員)."""

    agency: Code | None = None
    role: Code | None = None
    label: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> MemberRef:
        if sum(x is not None for x in (self.agency, self.role, self.label)) != 1:
            raise ValueError("agency / role / label のどれか一つを指定してください")
        return self


class MeetingType(Strict):
    """A kind of meeting. `statute` names its legal basis in the statute table (statutes.py); a meeting that
    shares information without consent must rest on such a statute and bind its members to confidentiality."""

    code: Code
    name: str = Field(min_length=1)
    kind: MeetingKind
    statute: str | None = Field(default=None, description="根拠法令（statutes.py の表のキー e.g. 社会福祉法第106条の6）")
    legal_basis: str | None = Field(default=None, description="その他の根拠 e.g. 設置要綱")
    consent_rule: ConsentRule = Field(description="required=本人同意必須, not_required=守秘義務で共有, per_item=議題ごと")
    confidentiality_duty: bool = Field(default=False, description="構成員に守秘義務があるか")
    duty_basis: str | None = Field(default=None, description="守秘義務の根拠が法令でない場合（要綱・誓約書など）")
    takes_case_items: bool = Field(default=False, description="個別の事例を議題にするか")
    cadence: str | None = Field(default=None, description="開催頻度 e.g. 月1回・随時")
    default_members: list[MemberRef] = Field(default_factory=list)
    parent: Code | None = Field(default=None, description="部会の親会議")
    description: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> MeetingType:
        law = STATUTES.get(self.statute) if self.statute else None
        if self.statute and law is None:
            raise ValueError(f"statute {self.statute!r} は法令の表にありません（{'、'.join(STATUTES)} のどれか）")
        if self.kind == "重層的支援会議" and self.consent_rule != "required":
            raise ValueError("重層的支援会議は consent_rule: required でなければなりません (R2)")
        if self.kind == "支援会議" and self.statute != "社会福祉法第106条の6":
            raise ValueError("kind: 支援会議 は社会福祉法第106条の6の会議です。他の法律の会議は kind: 分野別会議 にして"
                             " statute を書いてください")
        if self.kind == "分野別会議" and (law is None or law.key == "社会福祉法第106条の6"):
            raise ValueError("分野別会議には根拠となる分野の法律（statute）を書いてください")
        if self.kind == "統合会議" and self.consent_rule != "per_item":
            raise ValueError("統合会議は consent_rule: per_item でなければなりません")
        if self.consent_rule in ("not_required", "per_item"):
            if law is None or not law.shares_without_consent:
                raise ValueError("本人同意なしで情報を共有する会議（not_required / per_item）には、それを認める法令を"
                                 " statute に書いてください")
            if not self.confidentiality_duty:
                raise ValueError(f"{law.citation} の会議は構成員に守秘義務があります（{law.duty_clause}）。"
                                 "confidentiality_duty: false では同意のない議題をどの構成員も見られません")
        if law and law.duty_clause and not self.confidentiality_duty:
            raise ValueError(f"{law.citation} の会議の構成員には守秘義務があります（{law.duty_clause}）。"
                             "confidentiality_duty: true にしてください")
        if self.confidentiality_duty and not (law and law.duty_clause) and not self.duty_basis:
            raise ValueError("守秘義務の根拠を書いてください（法令なら statute、要綱・誓約書なら duty_basis）")
        if self.consent_rule == "none" and self.takes_case_items:
            raise ValueError("個人情報を扱わない会議（consent_rule: none）は事例を議題にできません（takes_case_items）")
        return self


class Kpi(Strict):
    code: Code
    name: str = Field(min_length=1)
    kind: KpiKind
    area: KpiArea
    indicator: str | None = Field(default=None, description="対応する共通指標（都道府県が市町村を比べる指標）")
    unit: str = "件"
    filters: dict[str, str | int | list[str]] = Field(default_factory=dict)
    targets: dict[int, float | None] = Field(default_factory=dict, description="西暦の年度 → 目標値 (null=設定なし)")
    baseline: dict[int, float] = Field(default_factory=dict, description="実績値（計画策定時）")
    description: str | None = None

    @field_validator("targets", "baseline")
    @classmethod
    def _years(cls, v: dict[int, float | None]) -> dict[int, float | None]:
        for year in v:
            _check_fiscal_year(year)
        return v

    @model_validator(mode="after")
    def _filters_and_indicator(self) -> Kpi:
        allowed = KPI_FILTERS.get(self.kind, set())
        unknown = sorted(set(self.filters) - allowed)
        if unknown:
            raise ValueError(f"filters の {unknown[0]!r} は kind: {self.kind} では使えません"
                             f"（使えるもの: {'、'.join(sorted(allowed)) or 'なし'}）")
        if self.kind == "meetings_held" and not (self.filters.get("meeting_types") or self.filters.get("statute")):
            raise ValueError("meetings_held には filters.meeting_types か filters.statute が必要です")
        if self.kind == "case_items" and not self.filters.get("basis"):
            raise ValueError("case_items には filters.basis（consent か法令の表のキー）が必要です")
        for key in ("statute", "basis"):
            value = self.filters.get(key)
            if value and value != "consent" and value not in STATUTES:
                raise ValueError(f"filters.{key} {value!r} は法令の表にありません")
        if self.indicator and self.indicator not in INDICATORS:
            raise ValueError(f"共通指標 {self.indicator!r} はありません（{'、'.join(INDICATORS)} のどれか）")
        return self


class Place(Strict):
    """拠点・居場所 (地域づくり)."""

    code: Code
    name: str = Field(min_length=1)
    kind: str = Field(min_length=1, description="e.g. 通いの場, 地域子育て支援拠点, 地域活動支援センター, サロン")
    district: Code | None = None
    operator: str | None = None
    address: str | None = None
    phone: str | None = None
    audience: str | None = Field(default=None, description="対象 e.g. 多世代, 子育て世帯")
    opened_on: dt.date | None = Field(default=None, description="開設日（年度ごとの拠点数に使う）")
    closed_on: dt.date | None = Field(default=None, description="廃止日")
    project: Code | None = Field(default=None, description="この拠点を設ける事業（projects のコード）")
    note: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Place:
        if self.opened_on and self.closed_on and self.closed_on < self.opened_on:
            raise ValueError("廃止日が開設日より前です")
        return self


class LogicModelEntry(Strict):
    """ロジックモデル: an activity (活動) linked to its outputs (アウトプット) and outcomes (アウトカム).
    Outputs and outcomes are KPI codes; `outcome_statements` are goals without an indicator yet."""

    activity: str = Field(min_length=1, description="活動・事業 e.g. 多機関協働事業")
    policy: str | None = Field(default=None, description="基本方針")
    outputs: list[Code] = Field(default_factory=list, description="アウトプット指標（KPI コード）")
    outcomes: list[Code] = Field(default_factory=list, description="アウトカム指標（KPI コード）")
    outcome_statements: list[str] = Field(default_factory=list, description="目指す状態（事業目標）")


class MemberMunicipality(Strict):
    """For a prefecture profile: a municipality in it and the years it ran the program."""

    name: str = Field(min_length=1)
    code: str | None = Field(default=None, pattern=r"^\d{6}$")
    program_since: int | None = Field(default=None, description="事業開始年度 (西暦)")
    note: str | None = None

    @field_validator("program_since")
    @classmethod
    def _year(cls, v: int | None) -> int | None:
        return None if v is None else _check_fiscal_year(v)


class EmergencyBasis(Strict):
    code: str = Field(pattern=r"^[a-z0-9_\-]+$")
    label: str = Field(min_length=1, description="根拠の条文（例: 個人情報保護法第27条第1項第2号）")


class EmergencyAccess(Strict):
    """緊急時の閲覧（ブレイクグラス, ACCESS.md G10）: how long it lasts and the bases staff choose from."""

    hours: int = Field(default=24, ge=1, le=72)
    bases: list[EmergencyBasis] = Field(default_factory=list, description="省略時は個人情報保護法の既定の2つ")
class Security(Strict):
    """Session and sign-in rules of this municipality (tsunagu/accounts)."""

    idle_timeout_minutes: int = Field(default=30, ge=5, le=480, description="操作がないままログアウトするまでの分数")
    require_two_factor_for_all: bool = Field(
        default=False, description="true なら全職員に二要素認証を求める（既定は管理者・推進員など特権のある役割だけ）")


class Profile(Strict):
    schema_version: Literal[2]
    code: str = Field(pattern=r"^\d{6}$", description="全国地方公共団体コード (6桁)")
    name: str = Field(min_length=1)
    kind: Literal["municipality", "prefecture"] = "municipality"
    prefecture: str = Field(min_length=1)
    names: Names
    source: str | None = Field(default=None, description="出典の計画名")
    plan: Plan | None = None
    issue_tags: list[str] = Field(default_factory=list, description="SPEC の語彙に追加する課題タグ")
    districts: list[District] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    meeting_types: list[MeetingType] = Field(default_factory=list)
    outreach: Outreach | None = None
    kpis: list[Kpi] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    logic_model: list[LogicModelEntry] = Field(default_factory=list)
    municipalities: list[MemberMunicipality] = Field(default_factory=list)
    emergency_access: EmergencyAccess | None = None
    security: Security = Field(default_factory=Security)

    def all_agencies(self) -> list[tuple[Agency, Site | None]]:
        """Every referral destination: plain agencies, and each site of an agency kind with sites."""
        out: list[tuple[Agency, Site | None]] = []
        for a in self.agencies:
            if a.sites:
                out.extend((a, s) for s in a.sites)
            else:
                out.append((a, None))
        return out

    def agency_codes(self) -> set[str]:
        return {site.code if site else a.code for a, site in self.all_agencies()}

    def expand_agency(self, code: str) -> list[str]:
        """The referral destinations a reference names: an agency kind with sites stands for all its sites."""
        for a in self.agencies:
            if a.code == code and a.sites:
                return [s.code for s in a.sites]
        return [code]

    @property
    def outreach_sources(self) -> list[str]:
        return list(self.outreach.sources) if self.outreach else list(DEFAULT_OUTREACH_SOURCES)
