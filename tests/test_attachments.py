"""添付ファイル (issue 13, point 7): type by content, a size limit, stored outside the web root, served only through
the grants (CONTENT; ADDRESS when the address is hidden; SENSITIVE when marked), every download audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tsunagu.attachments.models import Attachment
from tsunagu.intake import services as intake
from tsunagu.privacy.models import AuditEvent

from .casework_fixtures import escalated_case
from .intake_fixtures import record

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% scanned consent form SECRET-SCAN\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def attachment_dir(settings, tmp_path):
    settings.TSUNAGU_ATTACHMENT_DIR = str(tmp_path / "attachments")
    return tmp_path / "attachments"


def upload(client, consultation, content=PDF, name="同意書.pdf", **extra):
    return client.post(reverse("consultation_attach", args=[consultation.pk]),
                       {"file": SimpleUploadedFile(name, content), "kind": "consent", **extra}, follow=True)


def test_the_recording_agency_attaches_and_downloads_a_scan(client, intake_a, attachment_dir):
    c = record(intake_a)
    client.force_login(intake_a)
    page = upload(client, c).content.decode()
    assert "ファイルを添付しました。" in page and "同意書.pdf" in page
    a = Attachment.objects.get()
    assert (a.content_type, a.size, a.kind, a.agency_id) == ("application/pdf", len(PDF), "consent", intake_a.agency_id)
    stored = attachment_dir / a.stored_as
    assert stored.read_bytes() == PDF and "同意書" not in str(stored)  # a random name, outside the web root
    response = client.get(reverse("attachment_download", args=[a.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment;" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="attachment.downloaded")
    assert event.subject_person_id == c.person_id and [g["kind"] for g in event.grants] == ["G1"]


def test_the_type_comes_from_the_content_not_the_name(client, intake_a):
    c = record(intake_a)
    client.force_login(intake_a)
    refused = upload(client, c, content=b"MZ\x90\x00 not a scan", name="scan.pdf").content.decode()
    assert "PDF・JPEG・PNG のファイルだけを添付できます" in refused
    upload(client, c, content=PNG, name="scan.pdf")
    a = Attachment.objects.get()
    assert a.content_type == "image/png" and a.title == "scan.pdf.png"


def test_too_large_or_empty_is_refused_and_nothing_is_kept(client, intake_a, settings, attachment_dir):
    settings.TSUNAGU_ATTACHMENT_MAX_MB = 1
    c = record(intake_a)
    client.force_login(intake_a)
    big = upload(client, c, content=PDF + b"0" * (1024 * 1024)).content.decode()
    assert "ファイルが大きすぎます（1 MB まで）" in big
    assert "添付できませんでした: 入力されたファイルは空です。" in upload(client, c, content=b"").content.decode()
    assert "ファイルを選んでください" in client.post(reverse("consultation_attach", args=[c.pk]), {"kind": "consent"},
                                                     follow=True).content.decode()
    assert Attachment.objects.count() == 0
    assert not attachment_dir.exists() or not any(p.is_file() for p in attachment_dir.rglob("*"))


def test_only_the_recording_agency_adds(client, intake_a, staff_b):
    c = record(intake_a, consent_all=True)
    intake.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    client.force_login(staff_b)
    assert client.post(reverse("consultation_attach", args=[c.pk]),
                       {"file": SimpleUploadedFile("x.pdf", PDF), "kind": "other"}).status_code == 403
    assert Attachment.objects.count() == 0


def _attach(client, user, c, **extra):
    client.force_login(user)
    upload(client, c, **extra)
    return Attachment.objects.order_by("-id").first()


def test_downloads_follow_the_grants(client, intake_a, staff_b, make_staff, imizu):
    from .conftest import agency_named

    # Referred with consent (G2: CONTENT, not SENSITIVE): the plain scan yes, the one marked 要配慮 no.
    consented = record(intake_a, consent_all=True)
    plain = _attach(client, intake_a, consented)
    sensitive = _attach(client, intake_a, consented, sensitive="on")
    intake.refer_consultation(intake_a, consented, to_agency=staff_b.agency)
    # Referred on a statutory basis (G3: ID only): nothing.
    statutory = record(intake_a, name="法令 太郎")
    scan = _attach(client, intake_a, statutory)
    intake.refer_consultation(intake_a, statutory, to_agency=staff_b.agency, statutory_basis="vital")
    # A hidden address (DV): a scanned form shows it, so G2 does not open it.
    masked = record(intake_a, name="避難 中子", masked=True, consent_all=True)
    hidden = _attach(client, intake_a, masked)
    intake.refer_consultation(intake_a, masked, to_agency=staff_b.agency)
    outsider = make_staff(imizu, "outsider", "intake", agency_named(imizu, "すてっぷ"), "他機関")

    def status(user, a):
        client.force_login(user)
        return client.get(reverse("attachment_download", args=[a.pk])).status_code

    assert [status(staff_b, a) for a in (plain, sensitive, scan, hidden)] == [200, 404, 404, 404]
    assert [status(outsider, a) for a in (plain, sensitive, scan, hidden)] == [404, 404, 404, 404]
    assert [status(intake_a, a) for a in (plain, sensitive, scan, hidden)] == [200, 200, 200, 200]
    # The lists show what may be downloaded, and nothing on a record whose content is closed.
    client.force_login(staff_b)
    page = client.get(reverse("consultation_detail", args=[consented.pk])).content.decode()
    assert page.count("/attachments/") == 1 and f"/attachments/{plain.pk}/" in page
    page = client.get(reverse("consultation_detail", args=[statutory.pk])).content.decode()
    assert "添付ファイル" not in page and "同意書.pdf" not in page


def test_the_coordinator_attaches_to_a_case_and_the_team_reads_it(client, intake_a, coordinator):
    case = escalated_case(intake_a, coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("case_attach", args=[case.pk]),
                           {"file": SimpleUploadedFile("申込票.pdf", PDF), "kind": "application"}, follow=True)
    assert "ファイルを添付しました。" in response.content.decode() and "申込票.pdf" in response.content.decode()
    a = Attachment.objects.get(target_type="case")
    assert client.get(reverse("attachment_download", args=[a.pk])).status_code == 200
    client.force_login(intake_a)  # the window that escalated is no team member here: no case, no file
    assert client.get(reverse("attachment_download", args=[a.pk])).status_code == 404
