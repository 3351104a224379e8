"""The audit chain (R7: tamper-evident), all of it in this one module.

Each event's `hash` is HMAC-SHA256, keyed with a secret that does not live in the database, over the previous
event's hash and a canonical form of every concrete column of the row except `hash` itself (so columns added
to AuditEvent later are covered without touching this code). Whoever can write the audit table but not read
the key cannot rewrite an entry and recompute the chain.

What the key alone cannot show is rows cut off the end, or a table emptied together with its head row. For
that, `tsunagu audit checkpoint` (cron) writes signed checkpoints — count, last id, head hash, time — to files
outside the database; `verify` checks the chain against every checkpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

GENESIS = "0" * 64
# Not compared against anything: a unique placeholder while the row's id (part of the payload) is assigned.
PENDING_PREFIX = "pending-"


class AuditKeyMissing(Exception):
    """The HMAC key cannot be read or created (message in Japanese)."""


# ------------------------------------------------------------------------------------------------ the key

def audit_key() -> bytes:
    """TSUNAGU_AUDIT_KEY, else the key file (made with a random key on first use, mode 600)."""
    value = (getattr(settings, "TSUNAGU_AUDIT_KEY", "") or "").strip()
    if value:
        return value.encode()
    path = Path(settings.TSUNAGU_AUDIT_KEY_FILE)
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_hex(32) + "\n")
        value = path.read_text().strip()
    except OSError as exc:
        raise AuditKeyMissing(f"監査ログの鍵ファイル {path} を読めません: {exc.strerror}") from exc
    if not value:
        raise AuditKeyMissing(f"監査ログの鍵ファイル {path} が空です")
    return value.encode()


def _mac(data: str) -> str:
    return hmac.new(audit_key(), data.encode(), hashlib.sha256).hexdigest()


# ------------------------------------------------------------------------------------------------ one entry

def _canonical_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.date, uuid.UUID)):
        return str(value)
    return value


def payload(event) -> str:
    """Every concrete column but `hash`, by column name, in a canonical JSON form.

    Empty values (None, "", [], {}) are left out, so that a column added later with an empty default does not
    change the payload of the rows written before it.
    """
    values = {}
    for field in type(event)._meta.concrete_fields:
        if field.attname == "hash":
            continue
        value = _canonical_value(getattr(event, field.attname))
        if value is None or value == "" or value == [] or value == {}:
            continue
        values[field.attname] = value
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(event) -> str:
    return _mac(f"{event.prev_hash}|{payload(event)}")


def append(event):
    """Link `event` (unsaved) after the current head and save it. Runs inside its own atomic block.

    The head row is locked for the duration, so concurrent writers are serialised and cannot fork the chain.
    """
    from .models import AuditChainHead

    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        event.prev_hash = head.last_hash
        event.hash = PENDING_PREFIX + uuid.uuid4().hex
        event.save()  # assigns the id, which the payload covers
        event.hash = compute_hash(event)
        type(event).objects.filter(pk=event.pk).update(hash=event.hash)
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


# ------------------------------------------------------------------------------------------------ checkpoints

def database_label() -> str:
    """Which database a checkpoint belongs to (a checkpoint of one database says nothing about another)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:{Path(str(db['NAME'])).name}"
    return f"{connection.vendor}:{db.get('HOST') or 'local'}:{db.get('PORT') or ''}/{db['NAME']}"


def checkpoint_file() -> Path:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", database_label()).strip("_")
    return Path(settings.TSUNAGU_AUDIT_CHECKPOINT_DIR) / f"{name}.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    count: int
    last_id: int | None
    head: str
    at: str
    line: int = 0

    def signed(self) -> dict:
        body = {"count": self.count, "last_id": self.last_id, "head": self.head, "at": self.at,
                "database": database_label()}
        return {**body, "mac": _mac(json.dumps(body, sort_keys=True))}

    @property
    def when(self) -> str:
        try:
            return timezone.localtime(dt.datetime.fromisoformat(self.at)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return self.at


def write_checkpoint() -> Checkpoint:
    """Append a signed checkpoint of the current chain. The chain must verify first (nothing bad is blessed)."""
    from .models import AuditEvent

    count, problems = verify()
    if problems:
        raise ChainBroken(problems)
    last = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    cp = Checkpoint(count=count, last_id=last["id"] if last else None, head=last["hash"] if last else GENESIS,
                    at=timezone.now().isoformat())
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(cp.signed(), ensure_ascii=False) + "\n")
    return cp


def read_checkpoints() -> tuple[list[Checkpoint], list[str]]:
    path = checkpoint_file()
    if not path.exists():
        return [], []
    out, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cp = Checkpoint(count=int(raw["count"]), last_id=raw["last_id"], head=str(raw["head"]),
                            at=str(raw["at"]), line=n)
            valid = hmac.compare_digest(str(raw.get("mac", "")), cp.signed()["mac"]) and (
                raw.get("database") == database_label())
        except (ValueError, KeyError, TypeError):
            valid = False
        if valid:
            out.append(cp)
        else:
            problems.append(f"チェックポイント {path} の {n} 行目の署名が一致しません（書き換えの疑い）")
    return out, problems


class ChainBroken(Exception):
    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


# ------------------------------------------------------------------------------------------------ verify

def verify() -> tuple[int, list[str]]:
    """Recompute the chain in order and hold it against every checkpoint. Returns (events, problems).

    The first problem names the first bad entry.
    """
    from .models import AuditChainHead, AuditEvent

    checkpoints, problems = read_checkpoints()
    by_count: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        by_count.setdefault(cp.count, []).append(cp)
    prev, count, last_hash = GENESIS, 0, GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            problems.append(f"#{event.id}: 直前のイベントとつながっていません（削除または挿入の疑い）")
        elif not hmac.compare_digest(compute_hash(event), event.hash):
            problems.append(f"#{event.id}: 内容が記録後に変更されています")
        for cp in by_count.get(count, []):
            if cp.last_id != event.id or cp.head != event.hash:
                problems.append(f"#{event.id}: {cp.when} のチェックポイント（{cp.count} 件目）と一致しません"
                                "（記録の削除・挿入・作り直しの疑い）")
        prev = last_hash = event.hash
    latest = max(checkpoints, key=lambda cp: cp.count, default=None)
    if latest is not None and latest.count > count:
        what = "監査ログが空です" if count == 0 else f"監査ログが {count} 件しかありません"
        problems.append(f"{what}が、{latest.when} のチェックポイントでは {latest.count} 件ありました"
                        "（記録の削除の疑い）")
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != last_hash:
        problems.append("最新のイベントが失われています（末尾の削除の疑い）" if count else
                        "監査ログが空ですが、記録があった形跡があります（全件削除の疑い）")
    return count, problems
