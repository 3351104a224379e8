"""Writes about accounts: passwords, second factors, lockouts, sessions. Each is atomic and audited."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.core.errors import DomainError
from tsunagu.directory.names import role_title
from tsunagu.privacy.audit import log_action

from . import lockout
from .models import AccountSecurity

RECOVERY_CODES = 10


class AccountError(DomainError):
    pass


def check_password_rules(password: str, user, field: str = "password") -> None:
    """Django's validators (length ≥ 12, common passwords, similarity to the user's names, not all digits)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), field=field) from None


def security_of(staff) -> AccountSecurity:
    return AccountSecurity.objects.get_or_create(staff_id=staff.pk)[0]


def require_account_admin(actor, staff=None) -> None:
    """The system administrator of the same municipality (G12: users, not case content)."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_system_admin and actor.municipality_id):
        raise PermissionDenied(f"職員のアカウントを管理できるのは{role_title(getattr(actor, 'municipality', None), 'admin')}だけです")
    if staff is not None and staff.municipality_id != actor.municipality_id:
        raise PermissionDenied("別の自治体の職員です")


# ------------------------------------------------------------------------------------------------ passwords

@transaction.atomic
def change_password(actor, staff, new_password: str, *, request=None) -> None:
    """The staff member's own change (also the forced change after an administrator's reset)."""
    check_password_rules(new_password, staff, field="new_password1")
    staff.set_password(new_password)
    staff.save(update_fields=["password"])
    AccountSecurity.objects.update_or_create(staff_id=staff.pk, defaults={
        "must_change_password": False, "password_changed_at": timezone.now()})
    log_action("staff.password_changed", actor=actor, obj=staff, request=request)


@transaction.atomic
def reset_password(actor, staff, *, request=None) -> str:
    """An administrator's reset: a one-time password the staff member must change at the next login.

    Every open session of that staff member ends (a new password hash invalidates them, and the epoch moves).
    """
    require_account_admin(actor, staff)
    temporary = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    staff.set_password(temporary)
    staff.save(update_fields=["password"])
    security = security_of(staff)
    AccountSecurity.objects.filter(pk=security.pk).update(must_change_password=True,
                                                          session_epoch=F("session_epoch") + 1)
    log_action("staff.password_reset", actor=actor, obj=staff, request=request)
    return temporary


# ------------------------------------------------------------------------------------------------ sessions

@transaction.atomic
def logout_everywhere(actor, staff, *, request=None) -> None:
    """End every session of `staff` on every device at its next request."""
    if actor.pk != staff.pk:
        require_account_admin(actor, staff)
    security = security_of(staff)
    AccountSecurity.objects.filter(pk=security.pk).update(session_epoch=F("session_epoch") + 1)
    log_action("staff.logged_out_everywhere", actor=actor, obj=staff, request=request)


@transaction.atomic
def unlock(actor, staff, *, request=None) -> int:
    require_account_admin(actor, staff)
    removed = lockout.unlock(staff.username)
    log_action("staff.unlocked", actor=actor, obj=staff, request=request, detail={"attempts": removed})
    return removed


# ------------------------------------------------------------------------------------------------ two factors

def totp_device(staff, *, confirmed: bool | None = True) -> TOTPDevice | None:
    qs = TOTPDevice.objects.filter(user=staff)
    if confirmed is not None:
        qs = qs.filter(confirmed=confirmed)
    return qs.order_by("id").first()


def recovery_device(staff) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=staff, confirmed=True).order_by("id").first()


@transaction.atomic
def start_enrolment(staff) -> TOTPDevice:
    """The unconfirmed authenticator shown as a QR code until its first code is entered."""
    device = totp_device(staff, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=False)
    return device


def confirm_enrolment(actor, device: TOTPDevice, code: str, *, request=None) -> list[str]:
    """The first correct code confirms the authenticator; returns fresh recovery codes (shown once).

    Not one transaction on purpose: a wrong code's throttling and its audit entry must stay.
    """
    _require_not_throttled(device)
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != device.digits or not device.verify_token(code):
        log_action("auth.2fa_failed", actor=actor, obj=actor, request=request, detail={"step": "enrol"})
        raise AccountError("確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
                           field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(device.user)
        log_action("auth.2fa_enrolled", actor=actor, obj=device.user, request=request)
    return codes


def _require_not_throttled(device) -> None:
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise AccountError("コードの誤りが続いたため、確認を一時的に止めています。少し待ってから入力し直してください。",
                           field="code")


def _new_recovery_codes(staff) -> list[str]:
    StaticDevice.objects.filter(user=staff).delete()
    device = StaticDevice.objects.create(user=staff, name="回復コード", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(actor, *, request=None) -> list[str]:
    if totp_device(actor) is None:
        raise AccountError("先に認証アプリを登録してください")
    codes = _new_recovery_codes(actor)
    log_action("auth.recovery_codes_renewed", actor=actor, obj=actor, request=request)
    return codes


def verify_second_factor(actor, code: str, *, request=None):
    """A code from the authenticator or one recovery code (used up). Returns the device that accepted it."""
    code = (code or "").strip().replace(" ", "").replace("-", "").lower()
    device = None
    candidate = None
    if code.isdigit() and len(code) == 6:
        candidate = totp_device(actor)
    elif code and len(code) <= 16:
        candidate = recovery_device(actor)
    if candidate is not None:
        _require_not_throttled(candidate)
        if candidate.verify_token(code):
            device = candidate
    if device is None:
        log_action("auth.2fa_failed", actor=actor, obj=actor, request=request, detail={"step": "verify"})
        # A wrong second factor counts like a wrong password: the user name's failures (django-axes) reach the
        # lockout limit whichever step is being guessed.
        user_login_failed.send(sender=__name__, credentials={"username": actor.get_username()}, request=request)
        raise AccountError("コードが正しくありません。認証アプリの6桁の数字か、回復コードを入力してください。",
                           field="code")
    log_action("auth.2fa_verified", actor=actor, obj=actor, request=request,
               detail={"recovery_code": isinstance(device, StaticDevice)})
    return device


@transaction.atomic
def reset_two_factor(actor, staff, *, request=None) -> None:
    """An administrator removes a lost authenticator; the staff member enrols again at the next login."""
    require_account_admin(actor, staff)
    TOTPDevice.objects.filter(user=staff).delete()
    StaticDevice.objects.filter(user=staff).delete()
    security = security_of(staff)
    AccountSecurity.objects.filter(pk=security.pk).update(session_epoch=F("session_epoch") + 1)
    log_action("staff.2fa_reset", actor=actor, obj=staff, request=request)
