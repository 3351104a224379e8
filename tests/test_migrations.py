"""Every model change has its migration (a fresh machine builds the schema from migrations alone)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"マイグレーションのない変更があります:\n{out.getvalue()}") if exc.code else None
