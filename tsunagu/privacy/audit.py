"""Writing and verifying the audit log. `log_action` is the only way events are written."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_action(action: str, *, actor=None, municipality=None, obj=None, object_type: str = "",
               object_id: str | int = "", object_repr: str = "", reason: str = "", detail: dict | None = None,
               request=None, actor_label: str = "", subject_person_id: int | None = None,
               grants: list | None = None) -> AuditEvent:
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
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(pk=1, last_hash=GENESIS)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            municipality=municipality, actor=actor, actor_label=actor_label[:200], action=action,
            object_type=object_type, object_id=str(object_id or ""), object_repr=object_repr[:300],
            reason=reason[:300], detail=detail or {}, ip_address=_client_ip(request),
            created_at=timezone.now(), prev_hash=head.last_hash, subject_person_id=subject_person_id,
            grants=grants or [],
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


def verify_chain() -> tuple[int, list[str]]:
    """Recompute every hash in order. Returns (events checked, problems)."""
    problems: list[str] = []
    prev = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            problems.append(f"#{event.id}: 直前のイベントとつながっていません（削除または挿入の疑い）")
        elif event.compute_hash() != event.hash:
            problems.append(f"#{event.id}: 内容が記録後に変更されています")
        prev = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and count and head.last_hash != prev:
        problems.append("最新のイベントが失われています（末尾の削除の疑い）")
    return count, problems
