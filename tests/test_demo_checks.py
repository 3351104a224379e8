"""The two checks of issue 12 on the `make run` demo: a locked-out account, and an emptied audit table."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tsunagu.core.demo import DEMO_PASSWORD
from tsunagu.privacy.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_demo_checks(settings, tmp_path):
    settings.TSUNAGU_AUDIT_KEY = "demo-check-key-" + "d" * 40
    settings.TSUNAGU_AUDIT_CHECKPOINT_DIR = str(tmp_path)
    call_command("demo", households=5, stdout=StringIO())
    call_command("audit", "checkpoint", stdout=StringIO())  # as `make run` does after the demo

    client = Client()
    for _ in range(10):
        client.post("/accounts/login/", {"username": "imizu.madoguchi", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "imizu.madoguchi", "password": DEMO_PASSWORD})
    assert response.status_code == 429 and "ログインが一時的にロックされています" in response.content.decode()
    assert client.get("/").status_code == 302  # not logged in

    call_command("audit", "verify", stdout=StringIO())
    AuditEvent.objects.all().delete()
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify", stdout=StringIO(), stderr=StringIO())
    assert "監査ログの検証に失敗しました" in str(err.value) and "監査ログが空です" in str(err.value)
