"""The records an attachment can hang on, each fetched through its own access helper (404 when invisible)."""

from __future__ import annotations

from tsunagu.privacy import access


def fetch(user, target_type: str, target_id: int, *, for_update: bool = False):
    """(record, person, classes the user sees of it). Raises Http404 / PermissionDenied like the record's pages."""
    if target_type == "consultation":
        from tsunagu.intake.policy import access_consultation_by_id, consultation_classes

        record, sight = access_consultation_by_id(user, target_id, for_update=for_update)
        return record, record.person, consultation_classes(sight, record), sight
    if target_type == "case":
        from tsunagu.casework.policy import access_case_by_id, case_classes

        record, sight = access_case_by_id(user, target_id, for_update=for_update)
        return record, record.person, case_classes(sight, record), sight
    raise ValueError(target_type)


def may_add(user, target_type: str, record) -> bool:
    if target_type == "consultation":
        return access.owns(user, record.agency_id)
    from tsunagu.casework.policy import is_coordinator_of

    return is_coordinator_of(user, record)
