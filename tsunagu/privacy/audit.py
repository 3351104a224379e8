"""Writing and verifying the audit log. `log_action` is the only way events are written.

The chain itself (HMAC, head row, checkpoints) lives in `chain.py`.
"""

from __future__ import annotations

from django.utils import timezone

from . import chain
from .chain import GENESIS  # noqa: F401  (kept for callers that name the start of the chain)
from .models import AuditEvent


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_action(action: str, *, actor=None, municipality=None, obj=None, object_type: str = "",
               object_id: str | int = "", object_repr: str = "", reason: str = "", detail: dict | None = None,
               request=None, actor_label: str = "", municipality_id: int | None = None,
               subject_person_id: int | None = None, grants: list | None = None) -> AuditEvent:
    """Append one event to the hash chain. Call inside the service's transaction.

    The object is written as its type and id only (「本人 #12」), never its name or title: the system
    administrator reads this log (ACCESS.md G12, pseudonymised)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or f"{obj._meta.verbose_name} #{obj.pk}"
    if actor is not None and getattr(actor, "is_authenticated", False):
        municipality = municipality if municipality is not None else actor.municipality
        actor_label = actor_label or f"{actor} ({actor.username})"
    else:
        actor = None
    if municipality is not None:
        municipality_id = municipality.pk
    event = AuditEvent(
        municipality_id=municipality_id, actor=actor, actor_label=actor_label[:200], action=action,
        object_type=object_type, object_id=str(object_id or ""), object_repr=object_repr[:300],
        reason=reason[:300], detail=detail or {}, ip_address=_client_ip(request), created_at=timezone.now(),
        subject_person_id=subject_person_id, grants=grants or [],
    )
    return chain.append(event)


def verify_chain() -> tuple[int, list[str]]:
    """Recompute every entry in order and check the checkpoints. Returns (events checked, problems)."""
    return chain.verify()
