"""Production safety: `tsunagu check --deploy` fails, and the WSGI entry point refuses to start, without a real
secret key when not in debug mode."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_HELP = ("TSUNAGU_SECRET_KEY に50文字以上のランダムな値を設定してください"
                   "（例: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'）")


def secret_key_problem() -> str | None:
    """Why the running secret key is not fit for production, or None."""
    if settings.DEBUG:
        return None
    key = settings.SECRET_KEY or ""
    if not getattr(settings, "SECRET_KEY_FROM_ENV", False):
        return "本番用の秘密鍵が設定されていません（TSUNAGU_SECRET_KEY が未設定です）。" + SECRET_KEY_HELP
    if len(key) < 50 or len(set(key)) < 5 or key.startswith(("insecure", "django-insecure", "change-me")):
        return "TSUNAGU_SECRET_KEY が短すぎるか、推測しやすい値です。" + SECRET_KEY_HELP
    return None


def require_production_secret() -> None:
    """Called by tsunagu/wsgi.py: a production server never runs on a key nobody chose.

    `make run` serves the demo on this machine only and says so with TSUNAGU_LOCAL_DEMO=1 (the key then comes
    from var/secret-key, random and private to this machine); `check --deploy` still reports it."""
    import os

    if os.environ.get("TSUNAGU_LOCAL_DEMO") == "1":
        return
    problem = secret_key_problem()
    if problem:
        raise ImproperlyConfigured(problem)


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    problem = secret_key_problem()
    return [checks.Error(problem, id="tsunagu.E001")] if problem else []


@checks.register(checks.Tags.security, deploy=True)
def check_https(app_configs, **kwargs):
    if settings.DEBUG or settings.HTTPS:
        return []
    return [checks.Warning("HTTPS の設定（TSUNAGU_HTTPS=1）が有効ではありません: Cookie の Secure 属性・"
                           "HTTPS へのリダイレクト・HSTS が働きません", id="tsunagu.W002")]


@checks.register(checks.Tags.security, deploy=True)
def check_audit_key(app_configs, **kwargs):
    if settings.DEBUG or settings.TSUNAGU_AUDIT_KEY:
        return []
    return [checks.Warning(f"監査ログの鍵が環境変数 TSUNAGU_AUDIT_KEY ではなくファイル {settings.TSUNAGU_AUDIT_KEY_FILE} "
                           "から読まれます。データベースの管理者が読めない場所にあることを確かめてください",
                           id="tsunagu.W003")]
