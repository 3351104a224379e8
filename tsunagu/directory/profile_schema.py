"""Typed schema of a municipality profile (自治体プロファイル).

A profile is one YAML file that describes everything that differs between municipalities: names of the
program, roles and meetings (R9), districts (地区・圏域), agencies, roles and staffing, meeting types, KPI
definitions and fiscal-year targets. Validation is strict: unknown keys, duplicate codes, broken references
and impossible years are errors, each reported with the path to the bad value.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]

# Generic role kinds the code knows; each municipality names them its own way (SPEC §1).
ROLE_KINDS = {
    "intake": "窓口担当",
    "liaison": "相談支援推進員",
    "coordinator": "多機関協働コーディネーター",
    "outreach": "アウトリーチ支援専門員",
    "participation": "参加支援コーディネーター",
    "community": "地域づくり担当",
    "meeting_member": "会議構成員",
    "manager": "管理者",
    "prefecture": "都道府県担当",
    "admin": "システム管理者",
}
RoleKind = Literal[
    "intake", "liaison", "coordinator", "outreach", "participation", "community",
    "meeting_member", "manager", "prefecture", "admin",
]
AgencyField = Literal["介護", "障がい", "子ども", "困窮", "その他"]
AgencyKind = Literal["包括的相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "庁内各課", "外部"]
Management = Literal["直営", "委託", "補助", "指定", "その他"]
MeetingKind = Literal["重層的支援会議", "支援会議", "統合会議", "全体会議", "連絡会議", "推進会議", "部会", "その他"]
ConsentRule = Literal["required", "not_required", "per_item", "none"]
KpiArea = Literal["包括的相談支援", "多機関協働", "アウトリーチ", "参加支援", "地域づくり", "全体"]
# KPI kinds whose actuals the evaluation app computes from records; "manual" is entered by hand.
KPI_KINDS = {
    "multiagency_cases": "多機関協働につながったケース数",
    "plans_created": "支援プラン作成件数",
    "jusoteki_meetings_held": "重層的支援会議開催回数",
    "shien_meetings_held": "支援会議開催回数",
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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Names(Strict):
    """Names shown in the UI (R9): never hard-coded."""

    program: str = Field(min_length=1, description="事業の愛称 e.g. いみず・みんなで・つながっと(good)事業")
    program_formal: str = Field(min_length=1, description="正式名 e.g. 射水市重層的支援体制整備事業")
    department: str | None = Field(default=None, description="所管課 e.g. 福祉保健部地域福祉課")


class District(Strict):
    """地区 / 圏域. `match` lists address fragments (after the city name) that belong to this district."""

    code: Code
    name: str = Field(min_length=1)
    area: str | None = Field(default=None, description="圏域 (e.g. 日常生活圏域, 小域福祉圏)")
    match: list[str] = Field(default_factory=list, description="住所の町名・字名（先頭一致）")
    note: str | None = None

    def match_keys(self) -> list[str]:
        if self.match:
            return list(self.match)
        base = self.name
        for suffix in ("地区", "地域"):
            if base.endswith(suffix) and len(base) > len(suffix):
                base = base[: -len(suffix)]
        return [base]


class Agency(Strict):
    """相談支援機関・関係機関."""

    code: Code
    name: str = Field(min_length=1)
    fields: list[AgencyField] = Field(min_length=1, description="分野")
    kinds: list[AgencyKind] = Field(min_length=1, description="種別")
    operator: str | None = Field(default=None, description="運営主体・受託法人")
    management: Management = Field(description="直営／委託")
    legal_basis: str | None = Field(default=None, description="根拠法")
    department: str | None = Field(default=None, description="担当課")
    districts: list[Code] | Literal["all"] = Field(default="all", description="担当地区 (all = 全市)")
    address: str | None = None
    phone: str | None = Field(default=None, pattern=r"^[0-9０-９\-ー（）() ]+$")
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
    code: Code
    name: str = Field(min_length=1)
    kind: MeetingKind
    legal_basis: str | None = Field(default=None, description="根拠 e.g. 社会福祉法第106条の6")
    consent_rule: ConsentRule = Field(description="required=本人同意必須, not_required=守秘義務で共有, per_item=議題ごと")
    confidentiality_duty: bool = Field(default=False, description="構成員に法定の守秘義務があるか")
    cadence: str | None = Field(default=None, description="開催頻度 e.g. 月1回・随時")
    default_members: list[MemberRef] = Field(default_factory=list)
    parent: Code | None = Field(default=None, description="部会の親会議")
    description: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> MeetingType:
        if self.kind == "重層的支援会議" and self.consent_rule != "required":
            raise ValueError("重層的支援会議は consent_rule: required でなければなりません (R2)")
        if self.kind == "支援会議" and not self.confidentiality_duty:
            raise ValueError("支援会議は confidentiality_duty: true でなければなりません (法106条の6)")
        if self.kind == "統合会議" and self.consent_rule != "per_item":
            raise ValueError("統合会議は consent_rule: per_item でなければなりません")
        return self


def _check_fiscal_year(year: int) -> int:
    if not 1989 <= year <= 2100:
        raise ValueError(f"年度 {year} は範囲外です (1989〜2100 の西暦で書いてください)")
    return year


class Kpi(Strict):
    code: Code
    name: str = Field(min_length=1)
    kind: KpiKind
    area: KpiArea
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
    note: str | None = None


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


class Security(Strict):
    """Session and sign-in rules of this municipality (tsunagu/accounts)."""

    idle_timeout_minutes: int = Field(default=30, ge=5, le=480, description="操作がないままログアウトするまでの分数")
    require_two_factor_for_all: bool = Field(
        default=False, description="true なら全職員に二要素認証を求める（既定は管理者・推進員など特権のある役割だけ）")


class Profile(Strict):
    schema_version: Literal[1]
    code: str = Field(pattern=r"^\d{6}$", description="全国地方公共団体コード (6桁)")
    name: str = Field(min_length=1)
    kind: Literal["municipality", "prefecture"] = "municipality"
    prefecture: str = Field(min_length=1)
    names: Names
    source: str | None = Field(default=None, description="出典の計画名")
    issue_tags: list[str] = Field(default_factory=list, description="SPEC の語彙に追加する課題タグ")
    districts: list[District] = Field(default_factory=list)
    agencies: list[Agency] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    meeting_types: list[MeetingType] = Field(default_factory=list)
    kpis: list[Kpi] = Field(default_factory=list)
    places: list[Place] = Field(default_factory=list)
    logic_model: list[LogicModelEntry] = Field(default_factory=list)
    municipalities: list[MemberMunicipality] = Field(default_factory=list)
    security: Security = Field(default_factory=Security)
