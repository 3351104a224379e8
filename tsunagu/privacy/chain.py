"""The audit chain (R7: tamper-evident), all of it in this one module.

Each event's `hash` is HMAC-SHA256, keyed with a secret that does not live in the database, over the previous
event's hash and a canonical form of every concrete column of the row except `hash` itself (so columns added
to AuditEvent later are covered without touching this code). Whoever can write the audit table but not read
the key cannot rewrite an entry and recompute the chain.

The log is several independent chains, "lanes" (TSUNAGU_AUDIT_LANES; 16 on PostgreSQL, 1 on SQLite): a writer
takes a lane no one else holds (`FOR UPDATE SKIP LOCKED` on the lane's head row), so concurrent requests do not
queue on one row. Each event names its lane, and `prev_hash` is the previous event of that lane; the lane is
part of the payload. Within a lane, ids grow in chain order (the id is assigned while the lane is held).

What the key alone cannot show is rows cut off the end, or a table emptied together with its head rows. For
that, `tsunagu audit checkpoint` (cron) writes signed checkpoints — per lane: count, last id, head hash; and the
time — to files outside the database; `verify` checks every lane against every checkpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import threading
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
    change the payload of the rows written before it; so is lane 0 (every event before lanes existed).
    """
    values = {}
    for field in type(event)._meta.concrete_fields:
        if field.attname == "hash":
            continue
        value = _canonical_value(getattr(event, field.attname))
        if value is None or value == "" or value == [] or value == {} or (field.attname == "lane" and value == 0):
            continue
        values[field.attname] = value
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(event) -> str:
    return _mac(f"{event.prev_hash}|{payload(event)}")


def lane_count() -> int:
    configured = getattr(settings, "TSUNAGU_AUDIT_LANES", None)
    if configured:
        return max(1, int(configured))
    return 16 if connection.vendor == "postgresql" else 1


def _ensure_lanes(n: int) -> None:
    from .models import AuditChainHead

    AuditChainHead.objects.bulk_create([AuditChainHead(id=k + 1, lane=k, last_hash=GENESIS) for k in range(n)],
                                       ignore_conflicts=True)


_thread = threading.local()
_threads = itertools.count()


def _take_lane():
    """Lock and return the head row of a lane: a free one where the database can skip locked rows, else one chosen
    by the thread (SQLite, which serialises writers anyway, or every lane busy: wait for that one)."""
    from .models import AuditChainHead

    n = lane_count()
    heads = AuditChainHead.objects.filter(lane__lt=n)
    if connection.features.has_select_for_update_skip_locked:
        for attempt in range(2):
            head = heads.select_for_update(skip_locked=True).order_by("lane").first()
            if head is not None:
                return head
            if attempt == 0:
                _ensure_lanes(n)  # none yet, or all busy and some lanes still to be made
    if not hasattr(_thread, "seed"):
        _thread.seed = next(_threads) + os.getpid()  # thread idents are aligned addresses: spread by a counter
    lane = _thread.seed % n
    head = heads.select_for_update().filter(lane=lane).first()
    if head is None:
        _ensure_lanes(n)
        head = heads.select_for_update().get(lane=lane)
    return head


def append(event):
    """Link `event` (unsaved) after the head of a lane and save it. Runs inside its own atomic block.

    The lane's head row stays locked until the caller's transaction ends, so no two writers fork a lane (a
    transaction that writes several events may hold more than one lane; each stays in order).
    """
    with transaction.atomic():
        head = _take_lane()
        event.lane = head.lane
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
class LaneState:
    count: int
    last_id: int | None
    head: str


@dataclass(frozen=True)
class Checkpoint:
    count: int
    last_id: int | None
    head: str
    at: str
    line: int = 0
    # Per lane; a checkpoint written before lanes existed has none, and is then the state of lane 0.
    lanes: dict[int, LaneState] | None = None

    def signed(self) -> dict:
        body = {"count": self.count, "last_id": self.last_id, "head": self.head, "at": self.at,
                "database": database_label()}
        if self.lanes is not None:
            body["lanes"] = {str(k): [s.count, s.last_id, s.head] for k, s in sorted(self.lanes.items())}
        return {**body, "mac": _mac(json.dumps(body, sort_keys=True))}

    def lane_states(self) -> dict[int, LaneState]:
        if self.lanes is None:
            return {0: LaneState(self.count, self.last_id, self.head)}
        return self.lanes

    @property
    def when(self) -> str:
        try:
            return timezone.localtime(dt.datetime.fromisoformat(self.at)).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            return self.at


def _lane_name(lane: int) -> str:
    return "" if lane == 0 else f"（レーン {lane}）"


def write_checkpoint() -> Checkpoint:
    """Append a signed checkpoint of every lane. The log must verify first (nothing bad is blessed)."""
    count, problems, lanes = _verify()
    if problems:
        raise ChainBroken(problems)
    last = max(lanes.values(), key=lambda s: s.last_id, default=LaneState(0, None, GENESIS))
    cp = Checkpoint(count=count, last_id=last.last_id, head=last.head, at=timezone.now().isoformat(), lanes=lanes)
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
            lanes = None
            if "lanes" in raw:
                lanes = {int(k): LaneState(int(c), i, str(h)) for k, (c, i, h) in raw["lanes"].items()}
            cp = Checkpoint(count=int(raw["count"]), last_id=raw["last_id"], head=str(raw["head"]),
                            at=str(raw["at"]), line=n, lanes=lanes)
            valid = hmac.compare_digest(str(raw.get("mac", "")), cp.signed()["mac"]) and (
                raw.get("database") == database_label())
        except (ValueError, KeyError, TypeError, AttributeError):
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
    """Recompute every lane in order and hold it against every checkpoint. Returns (events, problems).

    The first problem names the first bad entry.
    """
    count, problems, _ = _verify()
    return count, problems


def _verify() -> tuple[int, list[str], dict[int, LaneState]]:
    from .models import AuditChainHead, AuditEvent

    checkpoints, problems = read_checkpoints()
    expected: dict[tuple[int, int], list[tuple[Checkpoint, LaneState]]] = {}
    for cp in checkpoints:
        for lane, cp_state in cp.lane_states().items():
            expected.setdefault((lane, cp_state.count), []).append((cp, cp_state))
    # Read before the events, so that events appended meanwhile do not look like a lost tail: each head must
    # then be found in its lane (or be the start of an empty one).
    heads = {h.lane: h.last_hash for h in AuditChainHead.objects.all()}
    found = {lane for lane, h in heads.items() if h == GENESIS}
    state: dict[int, LaneState] = {}
    count = 0
    # One pass in id order; within a lane, id order is chain order.
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        lane = event.lane
        before = state.get(lane, LaneState(0, None, GENESIS))
        if event.prev_hash != before.head:
            problems.append(f"#{event.id}: 直前のイベントとつながっていません（削除または挿入の疑い）")
        elif not hmac.compare_digest(compute_hash(event), event.hash):
            problems.append(f"#{event.id}: 内容が記録後に変更されています")
        now = state[lane] = LaneState(before.count + 1, event.id, event.hash)
        if heads.get(lane) == event.hash:
            found.add(lane)
        for cp, cp_state in expected.get((lane, now.count), []):
            if cp_state.last_id != event.id or cp_state.head != event.hash:
                where = f"レーン {lane} の " if lane else ""
                problems.append(f"#{event.id}: {cp.when} のチェックポイント（{where}{now.count} 件目）と"
                                "一致しません（記録の削除・挿入・作り直しの疑い）")
    latest: dict[int, tuple[Checkpoint, LaneState]] = {}
    for cp in checkpoints:
        for lane, cp_state in cp.lane_states().items():
            if lane not in latest or cp_state.count > latest[lane][1].count:
                latest[lane] = (cp, cp_state)
    for lane, (cp, cp_state) in sorted(latest.items()):
        have = state.get(lane, LaneState(0, None, GENESIS)).count
        if cp_state.count > have:
            what = (f"監査ログ{_lane_name(lane)}が空です" if have == 0
                    else f"監査ログ{_lane_name(lane)}が {have} 件しかありません")
            problems.append(f"{what}が、{cp.when} のチェックポイントでは {cp_state.count} 件ありました"
                            "（記録の削除の疑い）")
    for lane in sorted(set(heads) - found):
        problems.append(f"最新のイベント{_lane_name(lane)}が失われています（末尾の削除の疑い）" if lane in state else
                        f"監査ログ{_lane_name(lane)}が空ですが、記録があった形跡があります（全件削除の疑い）")
    return count, problems, state
