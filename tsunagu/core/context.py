def municipality(request):
    m = getattr(request, "municipality", None)
    if m is not None and not m:  # unwrap the lazy object
        m = None
    return {"municipality": m}
