def municipality(request):
    m = getattr(request, "municipality", None)
    if m is not None and not m:  # unwrap the lazy object
        m = None
    return {"municipality": m}


def referral_counts(request):
    """Waiting referrals for the navigation bar (one cheap query per count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "agency_id", None):
        return {}
    from tsunagu.intake.views import referral_counts as counts

    return {"nav_counts": counts(user)}
