"""`tsunagu backup` / `tsunagu restore`: a round trip gives back exactly the content, and the audit chain still
verifies (SQLite online backup API; pg_dump / pg_restore on PostgreSQL)."""

import pytest
from django.core.management import CommandError, call_command

from tsunagu.directory.models import Staff
from tsunagu.intake.models import Consultation
from tsunagu.people.models import Person
from tsunagu.privacy.models import AuditEvent

from .intake_fixtures import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def audit_files(settings, tmp_path):
    settings.TSUNAGU_AUDIT_KEY = "backup-test-key-" + "b" * 40
    settings.TSUNAGU_AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")


def snapshot() -> dict:
    return {
        "audit": list(AuditEvent.objects.order_by("id").values_list("id", "action", "hash")),
        "people": list(Person.objects.order_by("id").values_list("id", "name", "kana", "birth_date")),
        "consultations": list(Consultation.objects.order_by("id").values_list("id", "chief_complaint", "person_id")),
        "staff": list(Staff.objects.order_by("id").values_list("id", "username", "password")),
    }


def test_backup_and_restore_round_trip(intake_a, tmp_path):
    record(intake_a, name="高橋 一郎")
    record(intake_a, name="山﨑 桜")
    call_command("audit", "checkpoint")
    before = snapshot()
    target = tmp_path / "tsunagu.backup"
    call_command("backup", output=str(target))
    assert target.stat().st_size > 0 and target.stat().st_mode & 0o777 == 0o600

    record(intake_a, name="後で 追加")  # everything after the backup is undone by the restore
    Person.objects.filter(name="高橋 一郎").update(name="書き換え")
    assert snapshot() != before

    call_command("restore", str(target), yes=True)
    assert snapshot() == before
    call_command("audit", "verify")


def test_backup_does_not_overwrite(intake_a, tmp_path):
    target = tmp_path / "x.backup"
    target.write_bytes(b"keep")
    with pytest.raises(CommandError, match="すでにあります"):
        call_command("backup", output=str(target))
    assert target.read_bytes() == b"keep"


def test_restore_refuses_a_file_that_is_not_a_backup(intake_a, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("これはバックアップではありません")
    before = snapshot()
    with pytest.raises(CommandError, match="tsunagu のバックアップではない"):
        call_command("restore", str(bogus), yes=True)
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("restore", str(tmp_path / "missing.backup"), yes=True)
    assert snapshot() == before
