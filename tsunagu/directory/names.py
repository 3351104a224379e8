"""Names a user reads, taken from the municipality's profile (R9): role titles and the meetings that approve plans
or share information without consent. Code and templates never spell a city's words; they ask here.

In templates the context processor provides `names` (e.g. `{{ names.roles.outreach }}`,
`{{ names.approving_meetings }}`); in Python call the functions with the municipality.
"""

from __future__ import annotations

from functools import cached_property

from .profile_schema import ROLE_KINDS
from .statutes import STATUTES, SUPPORT_MEETING

# Meeting kinds whose consent items may approve a plan or an evaluation (R3, R4): the 重層的支援会議 and a
# merged meeting that is also one.
APPROVING_KINDS = ("重層的支援会議", "統合会議")
APPROVING_FALLBACK = "プランを協議する会議"


def _join(names: list[str]) -> str:
    return "・".join(dict.fromkeys(n for n in names if n))


def role_title(municipality, kind: str) -> str:
    """The profile's name(s) for a role kind, e.g. アウトリーチ支援専門員 in one city and 地域福祉コーディネーター
    in another; the neutral kind label when the profile names no role of that kind."""
    from .models import Role

    if municipality is None:
        return ROLE_KINDS.get(kind, kind)
    names = list(Role.objects.filter(municipality=municipality, kind=kind, active=True)
                 .order_by("sort_order", "id").values_list("name", flat=True))
    return _join(names) or ROLE_KINDS.get(kind, kind)


def approving_meeting_types(municipality):
    from .models import MeetingType

    return MeetingType.objects.filter(municipality=municipality, active=True, kind__in=APPROVING_KINDS,
                                      takes_case_items=True)


def approving_meetings(municipality) -> str:
    """The city's name(s) of the meeting where a plan is approved and an evaluation decides closure."""
    if municipality is None:
        return APPROVING_FALLBACK
    return _join(list(approving_meeting_types(municipality).values_list("name", flat=True))) or APPROVING_FALLBACK


def no_consent_meetings(municipality) -> str:
    """The city's meetings that may discuss a person without consent (their members bound by a statutory duty)."""
    from .models import MeetingType

    if municipality is None:
        return ""
    return _join(list(MeetingType.objects.filter(
        municipality=municipality, active=True, takes_case_items=True, consent_rule__in=["not_required", "per_item"]
    ).values_list("name", flat=True)))


class ProfileNames:
    """Lazy template access: `names.roles.<kind>`, `names.approving_meetings`, `names.no_consent_meetings`."""

    def __init__(self, municipality):
        self.municipality = municipality

    @cached_property
    def roles(self) -> dict[str, str]:
        from .models import Role

        by_kind: dict[str, list[str]] = {}
        if self.municipality is not None:  # one query for every kind
            for kind, name in Role.objects.filter(municipality=self.municipality, active=True).order_by(
                    "sort_order", "id").values_list("kind", "name"):
                by_kind.setdefault(kind, []).append(name)
        return {kind: _join(by_kind.get(kind, [])) or label for kind, label in ROLE_KINDS.items()}

    @cached_property
    def approving_meetings(self) -> str:
        return approving_meetings(self.municipality)

    @cached_property
    def no_consent_meetings(self) -> str:
        return no_consent_meetings(self.municipality)

    @property
    def support_meeting(self) -> str:
        """社会福祉法第106条の6（支援会議）, from the statute table."""
        return STATUTES[SUPPORT_MEETING].item_basis_label
