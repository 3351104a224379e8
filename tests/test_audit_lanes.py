"""Audit lanes (issue 18): several independent chains, so that concurrent requests do not queue on one head row.

Tamper evidence must be what it was with one chain (tests/test_audit.py): an edited, deleted, inserted or cut-off
entry in any lane fails `tsunagu audit verify`, naming the entry, and checkpoints cover every lane.
"""

import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tsunagu.privacy import chain
from tsunagu.privacy.audit import log_action, verify_chain
from tsunagu.privacy.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    settings.TSUNAGU_AUDIT_KEY = "test-audit-key-" + "k" * 40
    settings.TSUNAGU_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    settings.TSUNAGU_AUDIT_LANES = 4
    return tmp_path


@pytest.fixture
def in_lane(monkeypatch):
    """Write the next events into a chosen lane (as a writer does when the lower lanes are busy)."""
    chosen = {"lane": 0}

    def take():
        chain._ensure_lanes(chain.lane_count())
        return AuditChainHead.objects.select_for_update().get(lane=chosen["lane"])

    monkeypatch.setattr(chain, "_take_lane", take)

    def write(lane, n=1):
        chosen["lane"] = lane
        return [log_action("staff.updated", actor_label="test", detail={"lane": lane, "i": i}) for i in range(n)]
    return write


def spread(in_lane):
    """Interleaved events in lanes 0, 2 and 3: {lane: [events in order]}."""
    out = {0: [], 2: [], 3: []}
    for _ in range(3):
        for lane in out:
            out[lane] += in_lane(lane)
    return out


def verify_fails(match: str):
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert "監査ログの検証に失敗しました" in str(err.value)
    assert match in str(err.value), str(err.value)


def test_each_lane_is_its_own_chain(in_lane):
    lanes = spread(in_lane)
    for lane, events in lanes.items():
        assert [e.lane for e in events] == [lane] * 3
        assert events[0].prev_hash == chain.GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert AuditChainHead.objects.get(lane=lane).last_hash == events[-1].hash
    assert verify_chain() == (9, [])
    call_command("audit", "verify")


def test_an_edit_in_a_lane_is_detected(in_lane):
    lanes = spread(in_lane)
    AuditEvent.objects.filter(pk=lanes[2][1].pk).update(detail={"i": "edited"})
    assert verify_chain()[1] == [f"#{lanes[2][1].pk}: 内容が記録後に変更されています"]
    verify_fails(f"#{lanes[2][1].pk}: 内容が記録後に変更されています")


def test_a_deletion_in_a_lane_is_detected(in_lane):
    lanes = spread(in_lane)
    AuditEvent.objects.filter(pk=lanes[3][1].pk).delete()
    assert verify_chain()[1] == [f"#{lanes[3][2].pk}: 直前のイベントとつながっていません（削除または挿入の疑い）"]


def test_an_insertion_in_a_lane_is_detected(in_lane):
    """A forged entry at the end of lane 2 (it cannot carry a valid MAC), and one linked to the middle of it."""
    lanes = spread(in_lane)
    last = lanes[2][-1]
    forged = AuditEvent.objects.create(action="staff.updated", actor_label="insider", created_at=last.created_at,
                                       lane=2, prev_hash=last.hash, hash="f" * 64)
    AuditChainHead.objects.filter(lane=2).update(last_hash=forged.hash)
    assert verify_chain()[1] == [f"#{forged.pk}: 内容が記録後に変更されています"]
    AuditEvent.objects.filter(pk=forged.pk).update(prev_hash=lanes[2][0].hash)
    verify_fails(f"#{forged.pk}: 直前のイベントとつながっていません（削除または挿入の疑い）")


def test_moving_an_event_to_another_lane_is_detected(in_lane):
    lanes = spread(in_lane)
    moved = lanes[3][2]  # the last of lane 3, so that no later link breaks: only the MAC can tell
    AuditEvent.objects.filter(pk=moved.pk).update(lane=1, prev_hash=chain.GENESIS)
    problems = verify_chain()[1]
    assert f"#{moved.pk}: 内容が記録後に変更されています" in problems
    assert "最新のイベント（レーン 3）が失われています（末尾の削除の疑い）" in problems


def test_cutting_off_the_end_of_a_lane_is_detected(in_lane):
    lanes = spread(in_lane)
    AuditEvent.objects.filter(pk=lanes[2][-1].pk).delete()
    assert verify_chain()[1] == ["最新のイベント（レーン 2）が失われています（末尾の削除の疑い）"]


def test_checkpoint_records_every_lane(in_lane):
    lanes = spread(in_lane)
    call_command("audit", "checkpoint")
    record = json.loads(chain.checkpoint_file().read_text().splitlines()[-1])
    assert record["count"] == 9
    for lane, events in lanes.items():
        assert record["lanes"][str(lane)] == [3, events[-1].id, events[-1].hash]
    call_command("audit", "verify")


def test_truncating_a_lane_after_a_checkpoint_is_detected(in_lane):
    """The insider cuts the end of lane 2 and moves its head back: only the checkpoint can tell."""
    lanes = spread(in_lane)
    call_command("audit", "checkpoint")
    in_lane(0, 2)  # the other lanes go on
    AuditEvent.objects.filter(pk=lanes[2][-1].pk).delete()
    AuditChainHead.objects.filter(lane=2).update(last_hash=lanes[2][-2].hash)
    verify_fails("監査ログ（レーン 2）が 2 件しかありませんが")


def test_rebuilding_a_lane_does_not_match_the_checkpoint(in_lane):
    lanes = spread(in_lane)
    call_command("audit", "checkpoint")
    AuditEvent.objects.filter(lane=3).delete()
    AuditChainHead.objects.filter(lane=3).update(last_hash=chain.GENESIS)
    in_lane(3, 3)  # rebuilt with the key: new ids, new hashes
    verify_fails("のチェックポイント（レーン 3 の 3 件目）と一致しません")
    assert lanes


def test_a_checkpoint_from_before_lanes_is_lane_zero(in_lane):
    """Lines written before lanes existed (no `lanes`) still verify, as checkpoints of lane 0."""
    events = in_lane(0, 3)
    old = chain.Checkpoint(count=3, last_id=events[-1].id, head=events[-1].hash, at="2026-01-01T00:00:00+09:00")
    path = chain.checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(old.signed()) + "\n")
    in_lane(1, 2)
    call_command("audit", "verify")
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    AuditChainHead.objects.filter(lane=0).update(last_hash=events[-2].hash)
    verify_fails("監査ログが 2 件しかありませんが")


def test_a_forged_lane_in_a_checkpoint_is_reported(in_lane):
    spread(in_lane)
    call_command("audit", "checkpoint")
    path = chain.checkpoint_file()
    record = json.loads(path.read_text().splitlines()[-1])
    record["lanes"]["2"][0] = 1
    path.write_text(path.read_text() + json.dumps(record) + "\n")
    verify_fails("2 行目の署名が一致しません")


def test_one_writer_keeps_to_one_lane():
    """Without contention the events go to one lane, in order (on PostgreSQL the first free one: lane 0)."""
    events = [log_action("staff.updated", actor_label="test", detail={"i": i}) for i in range(4)]
    assert len({e.lane for e in events}) == 1
    if connection.vendor == "postgresql":
        assert events[0].lane == 0
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_use_several_lanes_and_each_lane_stays_in_order():
    """Writers that hold their transaction open at the same time: on PostgreSQL each takes a free lane instead of
    waiting; on SQLite (one writer at a time) they queue. Either way every lane is one unbroken chain."""
    writers, rounds = 4, 3
    log_action("staff.updated", actor_label="first")  # the first write makes the lanes
    barrier = threading.Barrier(writers)
    errors = []

    def write(i):
        try:
            for r in range(rounds):
                with transaction.atomic():
                    log_action("staff.updated", actor_label=f"writer {i}", detail={"r": r})
                    if connection.vendor == "postgresql":
                        barrier.wait(10)  # everyone holds a lane at this moment
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append((i, exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == writers * rounds + 1
    used = {e.lane for e in events}
    if connection.vendor == "postgresql":
        assert len(used) == writers, used  # four writers at once, four lanes
    for lane in used:
        in_lane = [e for e in events if e.lane == lane]
        assert in_lane[0].prev_hash == chain.GENESIS
        assert [e.prev_hash for e in in_lane[1:]] == [e.hash for e in in_lane[:-1]]
    assert verify_chain() == (writers * rounds + 1, [])
