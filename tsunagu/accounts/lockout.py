"""Login lockout (django-axes): a separate threshold per user name and per address, a Japanese lockout page."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.shortcuts import render


class LockoutHandler(AxesDatabaseHandler):
    """Axes compares one failure count with one limit; we want two limits (user name: AXES_FAILURE_LIMIT,
    address: TSUNAGU_LOCKOUT_IP_FAILURES, higher because a whole office may share one address).

    So the count returned is the larger of the user name's failures and the address's failures scaled to the
    user-name limit: it reaches AXES_FAILURE_LIMIT exactly when either real limit is reached.
    """

    def get_failures(self, request, credentials=None) -> int:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in order: ["username", "ip_address"].
        by_username, by_ip = (_sum(qs) for qs in self.get_user_attempts(request, credentials))
        user_limit, ip_limit = settings.AXES_FAILURE_LIMIT, settings.TSUNAGU_LOCKOUT_IP_FAILURES
        return max(by_username, by_ip * user_limit // ip_limit)


def _sum(qs) -> int:
    from django.db.models import Sum

    return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def signed_in(request, user) -> None:
    """The whole sign-in succeeded (password, and the second factor where needed): forget this user name's and
    this address's failures, as django-axes' reset-on-success would, but only now."""
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    LockoutHandler().reset_user_attempts(request, credentials={"username": user.get_username()})


def unlock(username: str) -> int:
    """Forget the failures of a user name (all addresses). Returns the number of attempt records removed."""
    from axes.utils import reset

    return reset(username=username)


def locked_usernames(usernames) -> set[str]:
    """Which of these user names are locked by their own failures (one query for a whole list)."""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    qs = AccessAttempt.objects.filter(username__in=list(usernames))
    if settings.AXES_COOLOFF_TIME:
        qs = qs.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    totals = qs.values("username").annotate(n=Sum("failures_since_start"))
    return {t["username"] for t in totals if t["n"] >= settings.AXES_FAILURE_LIMIT}


def is_locked(username: str) -> bool:
    return username in locked_usernames([username])
