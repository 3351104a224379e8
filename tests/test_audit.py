import pytest
from django.core.management import CommandError, call_command

from tsunagu.privacy.audit import log_action, verify_chain
from tsunagu.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def write_events(n=5):
    return [log_action("staff.updated", actor_label="test", detail={"i": i}) for i in range(n)]


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
    with pytest.raises(CommandError, match="問題があります"):
        call_command("audit", "verify")


def test_deleting_an_event_is_detected():
    events = write_events()
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    _, problems = verify_chain()
    assert problems == [f"#{events[2].pk}: 直前のイベントとつながっていません（削除または挿入の疑い）"]


def test_deleting_the_last_event_is_detected():
    events = write_events()
    AuditEvent.objects.filter(pk=events[-1].pk).delete()
    _, problems = verify_chain()
    assert problems == ["最新のイベントが失われています（末尾の削除の疑い）"]


def test_events_have_japanese_labels():
    event = log_action("auth.login", actor_label="x")
    assert event.label == "ログイン"
