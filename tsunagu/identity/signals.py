"""Keep the comparison keys (MatchKey) in step with Person: a derived index, not a business rule."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from tsunagu.people.models import Person


@receiver(post_save, sender=Person, dispatch_uid="identity.refresh_match_key")
def refresh_match_key(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .keys import save_key

    save_key(instance)
