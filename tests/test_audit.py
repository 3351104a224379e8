"""The audit chain (R7) against an insider who can write the database but not read the key or the checkpoints."""

import datetime
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tsunagu.privacy import chain
from tsunagu.privacy.audit import log_action, verify_chain
from tsunagu.privacy.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    settings.TSUNAGU_AUDIT_KEY = "test-audit-key-" + "k" * 40
    settings.TSUNAGU_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path


def write_events(n=5):
    return [log_action("staff.updated", actor_label="test", detail={"i": i}) for i in range(n)]


def verify_fails(match: str):
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert "監査ログの検証に失敗しました" in str(err.value)
    assert match in str(err.value), str(err.value)


def test_untouched_chain_verifies():
    write_events()
    count, problems = verify_chain()
    assert count == 5 and problems == []
    call_command("audit", "verify")


def test_changing_an_event_is_detected():
    events = write_events()
    AuditEvent.objects.filter(pk=events[2].pk).update(detail={"i": 99})
    count, problems = verify_chain()
    assert problems == [f"#{events[2].pk}: 内容が記録後に変更されています"]
    verify_fails(f"最初の問題: #{events[2].pk}: 内容が記録後に変更されています")


def test_deleting_an_event_is_detected():
    events = write_events()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    _, problems = verify_chain()
    assert problems == [f"#{events[2].pk}: 直前のイベントとつながっていません（削除または挿入の疑い）"]


def test_inserting_an_event_is_detected():
    events = write_events()
    for e in reversed(events[3:]):  # make room after #3 by renumbering the later rows
        AuditEvent.objects.filter(pk=e.pk).update(id=e.pk + 100)
    forged = AuditEvent.objects.create(id=events[2].pk + 1, action="staff.updated", actor_label="insider",
                                       created_at=events[2].created_at, prev_hash=events[2].hash, hash="f" * 64)
    _, problems = verify_chain()
    assert problems[0] == f"#{forged.pk}: 内容が記録後に変更されています"
    assert problems[1] == f"#{events[3].pk + 100}: 直前のイベントとつながっていません（削除または挿入の疑い）"


def test_deleting_the_last_event_is_detected():
    events = write_events()
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    _, problems = verify_chain()
    assert problems == ["最新のイベントが失われています（末尾の削除の疑い）"]


def _changed(field, value):
    from django.db import models

    if isinstance(field, models.JSONField):
        return {"changed": 1}
    if isinstance(field, models.DateTimeField):
        return value + datetime.timedelta(seconds=1)
    if isinstance(field, models.GenericIPAddressField):
        return "10.9.9.9"
    if isinstance(field, (models.IntegerField, models.BigIntegerField)):
        return 424242
    if isinstance(field, models.CharField):
        return ("c" * field.max_length) if field.max_length < 8 else "changed"
    raise AssertionError(f"no test value for {field.name} ({type(field).__name__})")


def test_every_column_is_covered_by_the_mac():
    """Generic over the model: a column added later is covered too (only `hash` itself is left out)."""
    event = write_events(1)[0]
    checked = []
    for field in AuditEvent._meta.concrete_fields:
        if field.attname in ("hash", "id") or field.is_relation:
            continue  # the id is covered (see test_inserting…); relations would need another row to point at
        original = getattr(event, field.attname)
        AuditEvent.objects.filter(pk=event.pk).update(**{field.attname: _changed(field, original)})
        assert verify_chain()[1], f"a change of {field.attname} went unnoticed"
        AuditEvent.objects.filter(pk=event.pk).update(**{field.attname: original})
        assert verify_chain()[1] == []
        checked.append(field.attname)
    assert {"action", "detail", "created_at", "ip_address", "prev_hash"} <= set(checked)


def test_foreign_keys_are_covered(imizu):
    event = log_action("staff.updated", actor_label="x", municipality=imizu)
    AuditEvent.objects.filter(pk=event.pk).update(municipality=None)
    assert verify_chain()[1] == [f"#{event.pk}: 内容が記録後に変更されています"]


def test_recomputing_the_hashes_without_the_key_is_detected():
    """The attack of the issue: edit one row, delete 88, recompute a plain SHA-256 chain."""
    write_events(100)
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    AuditEvent.objects.filter(id__in=ids[5:93]).delete()
    AuditEvent.objects.filter(id=ids[2]).update(detail={"i": "edited"})
    prev = chain.GENESIS
    for event in AuditEvent.objects.order_by("id"):
        event.prev_hash = prev
        event.hash = hashlib.sha256((prev + chain.payload(event)).encode()).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    _, problems = verify_chain()
    assert problems[0] == f"#{ids[0]}: 内容が記録後に変更されています"
    verify_fails(f"#{ids[0]}")


def test_a_chain_signed_with_another_key_is_rejected(settings):
    write_events(3)
    settings.TSUNAGU_AUDIT_KEY = "another-key-" + "z" * 40
    assert len(verify_chain()[1]) == 3


def test_the_key_file_is_made_once_and_private(settings, tmp_path):
    settings.TSUNAGU_AUDIT_KEY = ""
    settings.TSUNAGU_AUDIT_KEY_FILE = str(tmp_path / "audit-key")
    write_events(2)
    key = (tmp_path / "audit-key").read_text()
    assert len(key.strip()) == 64 and (tmp_path / "audit-key").stat().st_mode & 0o777 == 0o600
    write_events(1)
    assert (tmp_path / "audit-key").read_text() == key and verify_chain()[1] == []


# ------------------------------------------------------------------------------------------------ checkpoints

def test_checkpoint_is_signed_and_written_outside_the_database(audit_files):
    write_events(4)
    call_command("audit", "checkpoint")
    lines = chain.checkpoint_file().read_text().splitlines()
    record = json.loads(lines[-1])
    last = AuditEvent.objects.order_by("-id").first()
    assert record["count"] == 4 and record["last_id"] == last.id and record["head"] == last.hash
    assert len(record["mac"]) == 64 and str(audit_files) in str(chain.checkpoint_file())
    call_command("audit", "verify")


def test_truncating_the_tail_after_a_checkpoint_is_detected():
    write_events(6)
    call_command("audit", "checkpoint")
    last_two = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:2])
    AuditEvent.objects.filter(id__in=last_two).delete()
    # The insider also moves the head row back, which the key alone could not reveal.
    AuditChainHead.objects.filter(pk=1).update(last_hash=AuditEvent.objects.order_by("-id").first().hash)
    verify_fails("監査ログが 4 件しかありませんが")


def test_emptying_the_table_is_detected_with_a_checkpoint():
    write_events(3)
    call_command("audit", "checkpoint")
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    verify_fails("監査ログが空です")


def test_emptying_the_table_is_detected_by_the_head_row_alone():
    write_events(3)
    AuditEvent.objects.all().delete()
    verify_fails("全件削除の疑い")


def test_a_rewritten_chain_does_not_match_the_checkpoint():
    """Even an insider who had the key once and rebuilt the chain differently is caught by an older checkpoint."""
    write_events(5)
    call_command("audit", "checkpoint")
    events = list(AuditEvent.objects.order_by("id"))
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    for e in events:  # the same events again, rebuilt through log_action with the key: new ids, new hashes
        log_action(e.action, actor_label=e.actor_label, detail=e.detail)
    verify_fails("のチェックポイント（5 件目）と一致しません")


def test_a_forged_checkpoint_line_is_reported():
    write_events(2)
    call_command("audit", "checkpoint")
    path = chain.checkpoint_file()
    record = json.loads(path.read_text().splitlines()[-1])
    record["count"] = 1
    path.write_text(path.read_text() + json.dumps(record) + "\n")
    verify_fails("2 行目の署名が一致しません")


def test_checkpoint_refuses_a_broken_chain():
    events = write_events(3)
    AuditEvent.objects.filter(pk=events[0].pk).update(reason="edited")
    with pytest.raises(CommandError, match="チェックポイントを書きません"):
        call_command("audit", "checkpoint")
    assert not chain.checkpoint_file().exists()


def test_checkpoints_belong_to_one_database(settings):
    label = chain.database_label()
    assert label.startswith(connection.vendor)


def test_events_have_japanese_labels():
    event = log_action("auth.login", actor_label="x")
    assert event.label == "ログイン"
