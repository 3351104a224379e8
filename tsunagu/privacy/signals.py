from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import log_action


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    log_action("auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log_action("auth.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Never store the attempted password; the user name is kept to spot guessing. The event belongs to the
    # municipality of the account that was tried, so that its managers see attacks on their staff.
    from django.contrib.auth import get_user_model

    username = str(credentials.get("username", ""))[:150]
    municipality_id = get_user_model().objects.filter(username=username).values_list(
        "municipality_id", flat=True).first()
    log_action("auth.login_failed", request=request, actor_label="(未認証)", municipality_id=municipality_id,
               detail={"username": username})
