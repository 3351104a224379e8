"""Per-account security state that is not part of the directory: session epoch, forced password change."""

from django.conf import settings
from django.db import models

from tsunagu.core.models import TenantModel


class AccountSecurity(models.Model):  # アカウントの安全設定
    staff = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                 related_name="account_security", verbose_name="職員")
    # Every session remembers the epoch it was opened in; raising it ends all of them ("logout everywhere").
    session_epoch = models.PositiveIntegerField("セッション世代", default=0)
    must_change_password = models.BooleanField("次回ログイン時にパスワード変更", default=False)
    password_changed_at = models.DateTimeField("パスワード変更日時", null=True, blank=True)

    class Meta:
        verbose_name = "アカウントの安全設定"
        verbose_name_plural = "アカウントの安全設定"

    def __str__(self) -> str:
        return f"{self.staff_id}"


class ApiToken(models.Model):  # APIトークン（職員個人に発行）
    """A personal API token. Only its SHA-256 digest is stored (the token is 256 random bits, so a fast hash is
    enough); the clear text is shown once, to the administrator who issues it, and is never logged."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="自治体")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                              verbose_name="職員")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("トークンの先頭", max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField("権限", default=list)
    expires_at = models.DateTimeField("有効期限")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="発行者")
    created_at = models.DateTimeField("発行日時", auto_now_add=True)
    last_used_at = models.DateTimeField("最終利用日時", null=True, blank=True)
    revoked_at = models.DateTimeField("失効日時", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="失効させた職員")

    class Meta:
        verbose_name = "APIトークン"
        verbose_name_plural = "APIトークン"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.name}）"


class StaffTransfer(TenantModel):  # 人事異動（所属・役割の変更履歴）
    """One move of a staff member to another agency and/or role from a date. Applied (the staff row changed, so the
    access policy, which reads the current agency and role, follows at once) on the effective date or, when it is
    recorded after that date, immediately; `applied_at` is empty while it waits."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers",
                              verbose_name="職員")
    effective_on = models.DateField("発令日")
    from_agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="異動前の所属")
    to_agency = models.ForeignKey("directory.Agency", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="異動後の所属")
    from_role = models.ForeignKey("directory.Role", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="異動前の役割")
    to_role = models.ForeignKey("directory.Role", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="異動後の役割")
    note = models.CharField("備考", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="登録者")
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)
    applied_at = models.DateTimeField("反映日時", null=True, blank=True)

    class Meta:
        verbose_name = "人事異動"
        verbose_name_plural = "人事異動"
        ordering = ["-effective_on", "-id"]
        indexes = [models.Index(fields=["municipality", "applied_at", "effective_on"])]

    def __str__(self) -> str:
        return f"{self.staff} {self.effective_on}"
