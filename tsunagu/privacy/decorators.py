"""Markers for views that show personal data; the access-matrix test reads them from the URL configuration."""

from collections.abc import Callable


def personal_data(kind: str) -> Callable:
    """Mark a view as showing personal data of `kind` (person / consultation / referral / list / search)."""

    def mark(view):
        view.personal_data = kind
        return view

    return mark
