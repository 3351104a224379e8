from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from tsunagu.privacy.audit import log_action

from . import lockout
from .middleware import start_session


@receiver(user_logged_in)
def _session_started(sender, request, user, **kwargs):
    # A 人事異動 whose 発令日 has come takes effect before the first page of the day is shown.
    from .staff_admin import apply_due_transfers

    if getattr(user, "municipality_id", None):
        apply_due_transfers(staff=user)
    if request is not None and hasattr(request, "session"):
        start_session(request, user)
        from .policy import requires_two_factor

        if not requires_two_factor(user):
            lockout.signed_in(request, user)  # else: once the second factor is passed (accounts.views.two_factor)


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # Under the municipality of the account that was tried, like the failed logins themselves.
    municipality_id = get_user_model().objects.filter(username=username or "").values_list(
        "municipality_id", flat=True).first()
    log_action("auth.locked_out", request=request, actor_label="(未認証)", municipality_id=municipality_id,
               detail={"username": str(username or "")[:150]})
