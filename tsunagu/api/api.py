"""The JSON API under /api/v1/ (issue 14): the same policies, grants, services and audit as the pages.

Auth: `Authorization: Bearer tsn_…` — a personal token (accounts.tokens); no session, so no CSRF. Each resource
needs its scope (`persons:read`, `consultations:write` …). Reads ask the same policies as the pages (a person, a
consultation, a referral, a case or a meeting the caller holds no grant on is 404, exactly as the page) and return
only the field classes the grant opens: a fields group absent from the answer is one the grant does not open
(a statutory referral's receiver gets 氏名・フリガナ and the referred consultation's 主訴・課題・緊急度 only).
Every call that shows personal data is audited as the page is (`audit_read` with the grants), marked `via: api`.
Errors are JSON `{"code": "...", "message": "日本語"}` with 401 / 403 / 404 / 400 / 409 / 429.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Query, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from tsunagu.accounts import tokens
from tsunagu.core.errors import DomainError
from tsunagu.privacy import access

# ------------------------------------------------------------------------------------------------ auth


class Throttled(Exception):
    pass


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = tokens.authenticate(token)
        if found is None:
            return None
        limit = getattr(settings, "TSUNAGU_API_RATE_PER_MINUTE", 600)
        key = f"api-rate:{found.digest[:24]}:{int(dt.datetime.now().timestamp() // 60)}"
        if cache.add(key, 1, 70) is False:
            try:
                count = cache.incr(key)
            except ValueError:
                count = 1
            if count > limit:
                raise Throttled
        request.user = found.staff
        request.municipality = found.staff.municipality
        request.api_token = found
        return found


api = NinjaAPI(title="tsunagu API", version="1", urls_namespace="api-v1", auth=TokenAuth(),
               description="重層的支援体制整備事業の記録を、既存の業務システムとつなぐための API です。"
                           "職員個人に発行された API トークン（Bearer）で呼び出します。")


def _error(request, status, code, message):
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(AuthenticationError)
def _unauth(request, exc):
    r = _error(request, 401, "unauthenticated", "API トークンがないか、無効・失効・期限切れです")
    r["WWW-Authenticate"] = "Bearer"
    return r


@api.exception_handler(Throttled)
def _throttled(request, exc):
    r = _error(request, 429, "rate_limited", "呼び出しの回数が上限を超えました。1分ほど待ってから再度お試しください")
    r["Retry-After"] = "60"
    return r


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "この操作を行う権限がありません")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "見つからないか、閲覧する権限がありません")


@api.exception_handler(DomainError)
def _domain(request, exc):
    body = {"code": "invalid", "message": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=400)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors})
    return api.create_response(request, {"code": "invalid", "message": "入力の形式が正しくありません: "
                                         + "、".join(f for f in fields if f), "fields": fields}, status=400)


@api.exception_handler(HttpError)
def _http(request, exc):
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code,
                                                                                             "error")
    return _error(request, exc.status_code, code, str(exc))


def need(request, scope: str):
    if scope not in (request.auth.scopes or []):
        raise PermissionDenied(f"このトークンには「{tokens.SCOPE_LABELS.get(scope, scope)}」の権限がありません")
    return request.user


def audit(action, request, **kwargs):
    detail = {**kwargs.pop("detail", {}), "via": "api", "token": request.auth.pk}
    access.audit_read(action, user=request.user, request=request, detail=detail, **kwargs)


from . import routes  # noqa: E402,F401  (registers the routers)


@api.exception_handler(routes.FormInvalid)
def _form_invalid(request, exc):
    form = exc.form
    fields = sorted(form.errors)
    messages = [str(e) for errors in form.errors.values() for e in errors]
    return api.create_response(request, {"code": "invalid", "message": " ".join(messages) or "入力を確認してください",
                                         "fields": fields, "field": fields[0] if fields else None}, status=400)


for name, router in routes.ROUTERS.items():
    api.add_router(f"/{name}", router, tags=[name])

__all__ = ["api", "Router", "Query"]
