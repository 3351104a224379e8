def municipality(request):
    from tsunagu.directory.names import ProfileNames

    m = getattr(request, "municipality", None)
    if m is not None and not m:  # unwrap the lazy object
        m = None
    # `names`: the profile's role and meeting names (R9), computed only when a template asks.
    return {"municipality": m, "names": ProfileNames(m)}


def navigation(request):
    """The menu of the signed-in user's role (core/navigation.py), built only if the page shows it."""
    from django.utils.functional import SimpleLazyObject

    from .navigation import menu

    user = getattr(request, "user", None)

    def unread():
        from tsunagu.notices.services import unread_count

        return unread_count(user) if getattr(user, "is_authenticated", False) else 0

    return {"menu": SimpleLazyObject(lambda: menu(user, getattr(user, "municipality", None)
                                                  if getattr(user, "is_authenticated", False) else None)),
            "unread_notices": SimpleLazyObject(unread)}
