"""Who must pass a second factor, and the municipality's session settings (profile block `security:`)."""

from __future__ import annotations

# Role kinds whose sessions can reach many people's records or the whole system (issue 12): the 多機関協働
# coordinator, the manager, the system administrator and the prefecture. The 名寄せ data steward is added from
# identity.services.REVIEWER_ROLE, so the list follows if the steward ever becomes a role of its own.
PRIVILEGED_ROLE_KINDS = frozenset({"coordinator", "manager", "admin", "prefecture"})
DEFAULT_IDLE_TIMEOUT_MINUTES = 30


def privileged_role_kinds() -> frozenset[str]:
    from tsunagu.identity.services import REVIEWER_ROLE

    return PRIVILEGED_ROLE_KINDS | {REVIEWER_ROLE}


def security_settings(municipality) -> dict:
    """The profile's `security:` block with its defaults (the profile was validated when it was loaded)."""
    block = ((getattr(municipality, "profile", None) or {}).get("security") or {}) if municipality else {}
    return {
        "idle_timeout_minutes": int(block.get("idle_timeout_minutes") or DEFAULT_IDLE_TIMEOUT_MINUTES),
        "require_two_factor_for_all": bool(block.get("require_two_factor_for_all", False)),
    }


def requires_two_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_role_kind(*privileged_role_kinds()):
        return True
    return security_settings(user.municipality)["require_two_factor_for_all"]
