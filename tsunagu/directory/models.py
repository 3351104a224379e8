"""Directory: districts (地区), agencies (機関), roles (役割), meeting types and staff (職員).

Everything here except Staff is loaded from the municipality profile; codes are the profile's codes.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from tsunagu.core.models import Municipality, TenantModel

from .profile_schema import ROLE_KINDS
from .statutes import statute

CASEWORK_ROLE_KINDS = frozenset({"intake", "liaison", "coordinator"})


class ProfileItem(TenantModel):
    code = models.CharField("コード", max_length=64)
    name = models.CharField("名称", max_length=200)
    active = models.BooleanField("有効", default=True, help_text="プロファイルから消えた項目は無効になります（記録は残ります）")
    sort_order = models.PositiveIntegerField("並び順", default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class District(ProfileItem):  # 地区
    area = models.CharField("圏域", max_length=100, blank=True)
    match_keys = models.JSONField("住所キー", default=list)
    note = models.TextField("備考", blank=True)

    class Meta(ProfileItem.Meta):
        verbose_name = "地区"
        verbose_name_plural = "地区"
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="district_code_unique")]


class AgencyGroup(ProfileItem):  # 機関の種別（複数か所）
    """An agency kind run at several sites by one or more operators (「地域包括支援センター 6か所、委託先 4法人」).
    Each site is an Agency (a referral destination); the group only describes them together."""

    operators = models.JSONField("受託法人", default=list)
    management = models.CharField("運営形態", max_length=16)
    legal_basis = models.CharField("根拠法", max_length=300, blank=True)
    department = models.CharField("担当課", max_length=200, blank=True)
    note = models.TextField("備考", blank=True)

    class Meta(ProfileItem.Meta):
        verbose_name = "機関の種別（複数か所）"
        verbose_name_plural = "機関の種別（複数か所）"
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="agencygroup_code_unique")]

    def all_operators(self) -> list[str]:
        listed = list(self.operators or [])
        for site in self.sites.all():  # prefetched by the organisation page
            if not site.active:
                continue
            if site.operator and site.operator not in listed:
                listed.append(site.operator)
        return listed


class Agency(ProfileItem):  # 機関
    group = models.ForeignKey(AgencyGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="sites",
                              verbose_name="種別（複数か所）")
    fields = models.JSONField("分野", default=list)
    kinds = models.JSONField("種別", default=list)
    operator = models.CharField("運営主体・受託法人", max_length=200, blank=True)
    management = models.CharField("運営形態", max_length=16)
    legal_basis = models.CharField("根拠法", max_length=300, blank=True)
    department = models.CharField("担当課", max_length=200, blank=True)
    serves_all = models.BooleanField("全市担当", default=True)
    districts = models.ManyToManyField(District, blank=True, related_name="agencies", verbose_name="担当地区")
    address = models.CharField("所在地", max_length=300, blank=True)
    phone = models.CharField("電話", max_length=40, blank=True)
    note = models.TextField("備考", blank=True)

    class Meta(ProfileItem.Meta):
        verbose_name = "機関"
        verbose_name_plural = "機関"
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="agency_code_unique")]


class Project(ProfileItem):  # 事業
    """事業 of the plan with its 担当課, operator and 直営／委託. Not an agency: never a referral destination."""

    area = models.CharField("事業区分", max_length=20)
    department = models.CharField("担当課", max_length=200, blank=True)
    operator = models.CharField("実施主体・受託法人", max_length=200, blank=True)
    management = models.CharField("運営形態", max_length=16)
    legal_basis = models.CharField("根拠法", max_length=300, blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="projects", verbose_name="実施機関")
    note = models.TextField("備考", blank=True)

    class Meta(ProfileItem.Meta):
        verbose_name = "事業"
        verbose_name_plural = "事業"
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="project_code_unique")]


class Role(ProfileItem):  # 役割
    kind = models.CharField("役割の種類", max_length=32, choices=list(ROLE_KINDS.items()))
    staffing = models.PositiveIntegerField("配置人数", null=True, blank=True)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="roles", verbose_name="配置先")
    description = models.TextField("説明", blank=True)

    class Meta(ProfileItem.Meta):
        verbose_name = "役割"
        verbose_name_plural = "役割"
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="role_code_unique")]


class MeetingType(ProfileItem):  # 会議の種類
    kind = models.CharField("会議の区分", max_length=32)
    statute = models.CharField("根拠法令", max_length=64, blank=True, help_text="法令の表（statutes.py）のキー")
    legal_basis = models.CharField("根拠", max_length=200, blank=True)
    consent_rule = models.CharField("同意の扱い", max_length=16)
    confidentiality_duty = models.BooleanField("守秘義務", default=False)
    duty_basis = models.CharField("守秘義務の根拠（法令以外）", max_length=200, blank=True)
    takes_case_items = models.BooleanField("事例を議題にする", default=False)
    cadence = models.CharField("開催頻度", max_length=200, blank=True)
    default_members = models.JSONField("標準構成員", default=list)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="親会議")
    description = models.TextField("説明", blank=True)

    CONSENT_LABELS = {
        "required": "本人同意が必要",
        "not_required": "同意不要（構成員に守秘義務）",
        "per_item": "議題ごとに根拠を記録",
        "none": "個人情報を扱わない",
    }

    class Meta(ProfileItem.Meta):
        verbose_name = "会議の種類"
        verbose_name_plural = "会議の種類"
        constraints = [models.UniqueConstraint(fields=["municipality", "code"], name="meetingtype_code_unique")]

    @property
    def consent_label(self) -> str:
        return self.CONSENT_LABELS.get(self.consent_rule, self.consent_rule)

    @property
    def law(self):
        """The statute-table entry the meeting rests on, or None."""
        return statute(self.statute)

    @property
    def basis_text(self) -> str:
        """根拠 as shown to users: the statute's citation, then any other basis the profile gives."""
        parts = [self.law.citation] if self.law else []
        if self.legal_basis:
            parts.append(self.legal_basis)
        return "・".join(parts)

    @property
    def duty_text(self) -> str:
        """Where the members' duty of confidentiality comes from, as shown on the meeting page and pledge."""
        if not self.confidentiality_duty:
            return ""
        if self.law and self.law.duty_clause:
            return self.law.duty_clause
        return self.duty_basis

    @property
    def is_support_meeting(self) -> bool:
        """A 支援会議 of 社会福祉法第106条の6 (alone, not merged)."""
        return self.law is not None and self.law.key == "社会福祉法第106条の6" and self.consent_rule == "not_required"


class StaffManager(UserManager):
    def in_municipality(self, municipality):
        return self.filter(municipality=municipality)


class Staff(AbstractUser):  # 職員
    """A user: staff of one agency of one municipality, holding roles from the profile."""

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.PROTECT,
                                     verbose_name="自治体", related_name="+")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属機関",
                               related_name="staff")
    roles = models.ManyToManyField(Role, blank=True, related_name="staff", verbose_name="役割")
    display_name = models.CharField("氏名", max_length=100, blank=True)

    objects = StaffManager()

    class Meta:
        verbose_name = "職員"
        verbose_name_plural = "職員"

    def __str__(self) -> str:
        return self.display_name or self.username

    def role_kinds(self) -> set[str]:
        if not hasattr(self, "_role_kinds"):
            self._role_kinds = set(self.roles.values_list("kind", flat=True)) if self.pk else set()
        return self._role_kinds

    @property
    def role_kind(self) -> str:
        """The one role kind a staff member works in (ACCESS.md §2: one agency and one role kind).
        `create_staff` refuses roles of two kinds; "" = no role."""
        kinds = self.role_kinds()
        return next(iter(kinds)) if len(kinds) == 1 else ""

    @property
    def is_casework(self) -> bool:
        """Casework roles (intake, liaison, coordinator) are the only ones an agency's records reach (G1)."""
        return bool(self.agency_id) and self.role_kind in CASEWORK_ROLE_KINDS

    def has_role_kind(self, *kinds: str) -> bool:
        return bool(self.role_kinds() & set(kinds))

    @property
    def is_manager(self) -> bool:
        return self.has_role_kind("manager")

    @property
    def is_system_admin(self) -> bool:
        return self.has_role_kind("admin")

    @property
    def is_prefecture_user(self) -> bool:
        return self.has_role_kind("prefecture")


class PrefectureMember(TenantModel):  # 都道府県の管内市町村
    """For a prefecture: a municipality in it (with or without its own tsunagu profile)."""

    name = models.CharField("市町村名", max_length=64)
    code = models.CharField("団体コード", max_length=6, blank=True)
    program_since = models.PositiveIntegerField("事業開始年度", null=True, blank=True)
    note = models.TextField("備考", blank=True)
    active = models.BooleanField("有効", default=True)
    sort_order = models.PositiveIntegerField("並び順", default=0)

    class Meta:
        verbose_name = "管内市町村"
        verbose_name_plural = "管内市町村"
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="prefmember_name_unique")]

    def __str__(self) -> str:
        return self.name
