"""Re-sign an existing audit log with the keyed chain (tsunagu/privacy/chain.py).

Only a legacy chain (SHA-256 without a key) that still verifies completely is re-signed: its entries are then
as trustworthy as they were, and from now on no one without the key can rewrite them. A legacy chain that does
not verify is left untouched, so `tsunagu audit verify` goes on reporting it.
"""

import hashlib
import json

from django.db import migrations

GENESIS = "0" * 64


def _legacy_payload(e) -> str:
    return json.dumps(
        {"m": e.municipality_id, "a": e.actor_id, "al": e.actor_label, "ac": e.action, "ot": e.object_type,
         "oi": e.object_id, "or": e.object_repr, "r": e.reason, "d": e.detail, "ip": e.ip_address,
         "t": e.created_at.isoformat()},
        ensure_ascii=False, sort_keys=True, default=str,
    )


def resign(apps, schema_editor):
    from tsunagu.privacy import chain

    AuditEvent = apps.get_model("privacy", "AuditEvent")
    Head = apps.get_model("privacy", "AuditChainHead")
    rows = list(AuditEvent.objects.order_by("id"))
    if not rows:
        return
    prev = GENESIS
    for e in rows:
        if e.prev_hash != prev or hashlib.sha256((prev + _legacy_payload(e)).encode()).hexdigest() != e.hash:
            return
        prev = e.hash
    head = Head.objects.filter(pk=1).first()
    if head is None or head.last_hash != prev:
        return
    prev = GENESIS
    for e in rows:
        e.prev_hash = prev
        e.hash = chain.compute_hash(e)
        AuditEvent.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash)
        prev = e.hash
    head.last_hash = prev
    head.save(update_fields=["last_hash"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(resign, migrations.RunPython.noop)]
