"""Personal API tokens (issue 14): issued to one staff account by the municipality's system administrator,
with scopes (read / write per resource), an expiry, revocation and the time it was last used.

The clear token is `tsn_` + 43 url-safe characters (256 random bits). Only its SHA-256 digest is stored; the clear
text is returned once by `issue_token` and never written to the audit log or any other log (the audit entry names
the token by its id and its first characters).

Second factor: a token is a long random secret the administrator issues from a session that passed its own second
factor, so a call with it needs no TOTP. For the role kinds that must use a second factor on the pages
(accounts.policy.requires_two_factor: coordinator, manager, admin, prefecture, the 名寄せ steward) a token lives
at most 30 days (others at most a year) and can be issued only to an account that has enrolled its second factor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.privacy.audit import log_action

from .models import ApiToken
from .policy import requires_two_factor

PREFIX = "tsn_"
RESOURCES = {
    "persons": "本人・世帯", "consultations": "相談", "referrals": "つなぎ", "consents": "本人同意",
    "cases": "事例・プラン", "meetings": "会議・議題", "kpis": "評価指標・都道府県向け統計",
}
WRITABLE = {"consultations", "referrals", "consents"}
SCOPES = [f"{r}:read" for r in RESOURCES] + [f"{r}:write" for r in RESOURCES if r in WRITABLE]
SCOPE_LABELS = {f"{r}:read": f"{label}（閲覧）" for r, label in RESOURCES.items()} | {
    f"{r}:write": f"{RESOURCES[r]}（記録・更新）" for r in WRITABLE}
MAX_DAYS = 365
MAX_DAYS_TWO_FACTOR = 30


class TokenError(DomainError):
    pass


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def max_days(staff) -> int:
    return MAX_DAYS_TWO_FACTOR if requires_two_factor(staff) else MAX_DAYS


@transaction.atomic
def issue_token(actor, staff, *, name: str, scopes: list[str], days: int, request=None) -> tuple[ApiToken, str]:
    """(token row, clear token). The clear token is shown once and is not kept."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .services import require_account_admin

    require_account_admin(actor, staff)
    if not staff.is_active:
        raise TokenError("無効な職員アカウントにはトークンを発行できません", field="staff")
    name = (name or "").strip()
    if not name:
        raise TokenError("用途を入力してください", field="name")
    scopes = sorted(set(scopes or []))
    if not scopes or any(s not in SCOPES for s in scopes):
        raise TokenError("権限を一つ以上選んでください", field="scopes")
    limit = max_days(staff)
    if not (1 <= int(days) <= limit):
        raise TokenError(f"有効期限は 1〜{limit} 日の範囲で指定してください", field="days")
    if requires_two_factor(staff) and not TOTPDevice.objects.filter(user=staff, confirmed=True).exists():
        raise TokenError("この役割の職員は、二要素認証を登録してからトークンを発行できます", field="staff")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(municipality_id=staff.municipality_id, staff=staff, name=name[:100],
                                    prefix=raw[:10], digest=digest(raw), scopes=scopes,
                                    expires_at=timezone.now() + dt.timedelta(days=int(days)), created_by=actor)
    log_action("api_token.issued", actor=actor, obj=token, request=request,
               detail={"staff": staff.pk, "scopes": scopes, "days": int(days)})
    return token, raw


@transaction.atomic
def revoke_token(actor, token: ApiToken, *, request=None) -> ApiToken:
    from .services import require_account_admin

    require_account_admin(actor, token.staff)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        log_action("api_token.revoked", actor=actor, obj=token, request=request, detail={"staff": token.staff_id})
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The live token for this clear text, or None (unknown, expired, revoked, or its account disabled)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = (ApiToken.objects.select_related("staff", "staff__municipality", "staff__agency")
             .filter(digest=digest(raw)).first())
    now = timezone.now()
    if (token is None or token.revoked_at is not None or token.expires_at <= now or not token.staff.is_active
            or token.staff.municipality_id != token.municipality_id):
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(seconds=60):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
