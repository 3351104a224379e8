"""Per-account security state that is not part of the directory: session epoch, forced password change."""

from django.conf import settings
from django.db import models


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
