"""The privacy app decides access for every domain app and imports none of them (the apps register their grant
kinds with it), and every personal-data read is audited with the grant that allowed it (ACCESS.md invariant 5)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from tsunagu.intake import services as intake
from tsunagu.privacy.models import AuditEvent, Grant, ReadRecord

from .intake_fixtures import record

DOMAIN_APPS = {"people", "intake", "identity", "casework", "meetings", "evaluation", "community", "outreach",
               "participation", "directory"}
PRIVACY = Path(__file__).resolve().parent.parent / "tsunagu" / "privacy"


def test_privacy_imports_no_domain_app():
    offending = []
    for path in PRIVACY.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                parts = name.split(".")
                if len(parts) > 1 and parts[0] == "tsunagu" and parts[1] in DOMAIN_APPS:
                    offending.append(f"{path.relative_to(PRIVACY.parent.parent)}: {name}")
    assert offending == []


@pytest.mark.django_db
def test_every_read_records_the_grant_that_allowed_it(intake_a, staff_b, client):
    c = record(intake_a, name="監査 記録", consent_agencies=[staff_b.agency])
    r = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency, message="依頼")
    grant = Grant.objects.get(kind="G2", referral_id=r.pk)
    client.force_login(intake_a)
    client.get(reverse("person_detail", args=[c.person_id]))
    own = AuditEvent.objects.filter(action="person.viewed", actor=intake_a).get()
    assert own.subject_person_id == c.person_id and [g["kind"] for g in own.grants] == ["G1"]
    client.force_login(staff_b)
    client.get(reverse("person_detail", args=[c.person_id]))
    event = AuditEvent.objects.filter(action="person.viewed", actor=staff_b).get()
    assert event.subject_person_id == c.person_id
    assert {"kind": "G2", "id": grant.pk, "basis": grant.basis} in event.grants
    assert f"本人同意 #{r.consent_id}" in grant.basis
    # A list names each resident it showed, with its grant, for the per-person report.
    client.get(reverse("referral_inbox"))
    read = ReadRecord.objects.get(event__action="referral.listed", person_id=c.person_id)
    assert read.grants and read.grants[0]["kind"] == "G2"
    report = ReadRecord.objects.filter(person_id=c.person_id).values_list("event__actor__username", flat=True)
    assert {"intake_a", "staff_b"} <= set(report)
