def municipality(request):
    from tsunagu.directory.names import ProfileNames

    m = getattr(request, "municipality", None)
    if m is not None and not m:  # unwrap the lazy object
        m = None
    # `names`: the profile's role and meeting names (R9), computed only when a template asks.
    return {"municipality": m, "names": ProfileNames(m)}


def referral_counts(request):
    """Waiting referrals for the navigation bar (one cheap query per count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "agency_id", None):
        return {}
    from tsunagu.intake.views import referral_counts as counts

    return {"nav_counts": counts(user)}
