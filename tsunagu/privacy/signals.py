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
    # Never store the attempted password; the user name is kept to spot guessing.
    log_action("auth.login_failed", request=request, actor_label="(未認証)",
               detail={"username": str(credentials.get("username", ""))[:150]})
