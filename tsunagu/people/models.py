"""Persons (本人) and households (世帯). Names are stored exactly as entered; search keys live beside them."""

from django.conf import settings
from django.db import models

from tsunagu.core import text
from tsunagu.core.models import TenantModel
from tsunagu.directory.models import Agency


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Persons of whom this user sees at least the name (ACCESS.md, deny by default)."""
        from tsunagu.privacy.access import visible_person_q

        if not user.is_authenticated or not user.municipality_id:
            return self.none()
        return self.filter(visible_person_q(user))


class Person(TenantModel):  # 本人
    SEX_CHOICES = [("", "未記入"), ("female", "女性"), ("male", "男性"), ("other", "その他"), ("unknown", "不明")]

    name = models.CharField("氏名", max_length=100)
    kana = models.CharField("フリガナ", max_length=100, blank=True)
    birth_date = models.DateField("生年月日", null=True, blank=True)
    sex = models.CharField("性別", max_length=8, choices=SEX_CHOICES, blank=True)
    address = models.CharField("住所", max_length=300, blank=True)
    phone = models.CharField("電話", max_length=40, blank=True)
    nationality = models.CharField("国籍", max_length=60, blank=True)
    language = models.CharField("使用言語", max_length=60, blank=True)
    address_masked = models.BooleanField(
        "住所を秘匿（DV・虐待）", default=False,
        help_text="記録した機関以外には住所を表示しません（DV・虐待の被害者の所在を守るため）",
    )
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                           verbose_name="記録した機関")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    # Comparison keys only (never displayed): 異体字-folded name, katakana reading, digits of the phone.
    name_key = models.CharField(max_length=100, db_index=True, editable=False)
    kana_key = models.CharField(max_length=100, db_index=True, editable=False)
    phone_key = models.CharField(max_length=40, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "本人"
        verbose_name_plural = "本人"
        indexes = [models.Index(fields=["municipality", "name_key"]), models.Index(fields=["municipality", "kana_key"])]

    def __str__(self) -> str:
        return self.name

    def refresh_keys(self) -> None:
        self.name_key = text.name_key(self.name)[:100]
        self.kana_key = text.kana_key(self.kana)[:100]
        self.phone_key = text.phone_key(self.phone)[:40]

    def save(self, *args, **kwargs):
        self.refresh_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"name_key", "kana_key", "phone_key"}
        super().save(*args, **kwargs)

    def age_on(self, day):
        if not self.birth_date:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class Household(TenantModel):  # 世帯
    label = models.CharField("世帯名", max_length=100, help_text="例: 山田さん世帯")
    recorded_by_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                           verbose_name="記録した機関")
    created_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "世帯"
        verbose_name_plural = "世帯"

    def __str__(self) -> str:
        return self.label


RELATION_CHOICES = [
    ("本人", "本人"), ("配偶者", "配偶者"), ("父", "父"), ("母", "母"), ("子", "子"), ("兄弟姉妹", "兄弟姉妹"),
    ("祖父母", "祖父母"), ("孫", "孫"), ("義父母", "義父母"), ("その他親族", "その他親族"), ("同居人", "同居人"),
]
# Care roles make 8050 (高齢の親と50代の子) and ダブルケア (介護と子育ての同時進行) expressible.
CARE_ROLE_CHOICES = ["要介護", "介護者", "子育て中", "ひきこもり", "障がい", "ヤングケアラー", "就労", "就学"]


class HouseholdMember(TenantModel):  # 世帯員
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name="世帯")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships", verbose_name="本人")
    relation = models.CharField("続柄（世帯の中心となる人から見て）", max_length=20, choices=RELATION_CHOICES)
    care_roles = models.JSONField("ケアの状況", default=list, blank=True)
    lives_together = models.BooleanField("同居", default=True)

    class Meta:
        verbose_name = "世帯員"
        verbose_name_plural = "世帯員"
        constraints = [models.UniqueConstraint(fields=["household", "person"], name="household_member_unique")]

    def __str__(self) -> str:
        return f"{self.household}: {self.person}（{self.relation}）"
