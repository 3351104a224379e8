"""Session rules on every request: logout everywhere, absolute and idle timeouts, the forced password change
and the second factor for privileged roles."""

from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from tsunagu.privacy.audit import log_action

from .models import AccountSecurity
from .policy import requires_two_factor, security_settings

LOGIN_AT, SEEN_AT, EPOCH = "tsunagu_login_at", "tsunagu_seen_at", "tsunagu_epoch"
# The last-seen time is written at most this often, so that a busy page does not rewrite its session each time.
SEEN_RESOLUTION_SECONDS = 30
# Reachable while the second factor is still due; and, once it is passed, while a password change is due.
OPEN_BEFORE_2FA = ("/accounts/login/", "/accounts/logout/", "/accounts/2fa/", "/static/", "/healthz")
OPEN_BEFORE_PASSWORD_CHANGE = (*OPEN_BEFORE_2FA, "/accounts/password/")


def start_session(request, user) -> None:
    """Called at login: remember when the session began and in which epoch."""
    now = int(time.time())
    epoch = AccountSecurity.objects.filter(staff_id=user.pk).values_list("session_epoch", flat=True).first()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[EPOCH] = epoch or 0


def _redirect(request, to: str):
    if request.headers.get("HX-Request") == "true":  # django-htmx's middleware runs after this one
        return HttpResponseClientRedirect(to)
    return redirect(to)


class SessionSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            response = self._check(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        now = int(time.time())
        state = AccountSecurity.objects.filter(staff_id=user.pk).values_list(
            "session_epoch", "must_change_password").first() or (0, False)
        if LOGIN_AT not in session:
            start_session(request, user)
        ended = None
        if session.get(EPOCH, 0) != state[0]:
            ended = ("auth.session_revoked", "このアカウントはすべての端末からログアウトされました。もう一度ログインしてください。")
        elif now - session[LOGIN_AT] > settings.TSUNAGU_SESSION_MAX_HOURS * 3600:
            ended = ("auth.session_expired", f"ログインから{settings.TSUNAGU_SESSION_MAX_HOURS:g}時間が経ったため、"
                     "ログアウトしました。もう一度ログインしてください。")
        else:
            idle = security_settings(user.municipality)["idle_timeout_minutes"]
            if now - session.get(SEEN_AT, now) > idle * 60:
                ended = ("auth.session_idle", f"操作がないまま{idle}分が経ったため、ログアウトしました。"
                         "もう一度ログインしてください。")
        if ended:
            log_action(ended[0], actor=user, obj=user, request=request)
            session.flush()
            request.user = AnonymousUser()
            messages.warning(request, ended[1])
            return _redirect(request, f"{reverse('login')}?next={quote(request.path)}")
        if now - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now
        # The second factor first: the password of a privileged account alone opens nothing, not even the
        # password change that an administrator's reset demands.
        if not request.path.startswith(OPEN_BEFORE_2FA) and requires_two_factor(user) and not user.is_verified():
            return _redirect(request, f"{reverse('two_factor')}?next={quote(request.path)}")
        if state[1] and not request.path.startswith(OPEN_BEFORE_PASSWORD_CHANGE):
            return _redirect(request, reverse("password_change"))
        return None
