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


def test_the_demo_leaves_no_seed_indicator_uncounted_for_reiwa_7_and_has_a_handed_over_case():
    """Issue 13: manual actuals for 市川市 and 射水市 (令和7年度), and a case handed to a successor at the 人事異動 —
    while the demo coordinator still holds open cases (the demo journeys log in as her)."""
    from tsunagu.casework.models import Case
    from tsunagu.core.models import Municipality
    from tsunagu.directory.models import Staff
    from tsunagu.evaluation.kpis import fiscal_year_rows
    from tsunagu.evaluation.models import ManualActual

    call_command("demo", households=5, stdout=StringIO())
    for code_name in ("射水市", "市川市"):
        m = Municipality.objects.get(name=code_name)
        rows = fiscal_year_rows(m, 2025)
        assert rows and [r.kpi.name for r in rows if r.actual is None] == [], code_name
        assert ManualActual.objects.filter(municipality=m, fiscal_year=2025, recorded_by__isnull=False).exists()
    handed = AuditEvent.objects.filter(action="case.handed_over")
    assert handed.count() == 1
    coord = Staff.objects.get(username="imizu.coord")
    case = Case.objects.get(pk=handed.get().object_id)
    assert case.coordinator == coord and case.is_open
    assert Case.objects.filter(coordinator=coord, status__in=Case.OPEN_STATUSES).count() >= 2
    assert not Staff.objects.get(username="imizu.coord.zennin").is_active

    before = AuditEvent.objects.count()
    call_command("demo", households=5, stdout=StringIO())  # idempotent: nothing entered twice
    assert AuditEvent.objects.filter(action="case.handed_over").count() == 1
    assert AuditEvent.objects.filter(action="evaluation.manual_saved", id__gt=0).count() == ManualActual.objects.count()
    assert AuditEvent.objects.count() >= before
