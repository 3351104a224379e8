"""Adding and reading 添付ファイル. The callers (views) fetch the record through its own access helper first."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tsunagu.core.errors import DomainError
from tsunagu.privacy import access
from tsunagu.privacy.audit import log_action

from .models import Attachment

# The types a scanned paper comes in, recognised by their first bytes (the name and the browser's word count for
# nothing).
SIGNATURES = [(b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png")]


class AttachmentError(DomainError):
    pass


def max_bytes() -> int:
    return int(getattr(settings, "TSUNAGU_ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def root() -> Path:
    return Path(settings.TSUNAGU_ATTACHMENT_DIR)


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def required_classes(attachment: Attachment, person) -> frozenset:
    need = {access.CONTENT}
    if person.address_masked:
        need.add(access.ADDRESS)
    if attachment.sensitive:
        need.add(access.SENSITIVE)
    return frozenset(need)


@transaction.atomic
def add_attachment(actor, *, target_type: str, target, person, upload, kind: str = "other",
                   sensitive: bool = False, request=None) -> Attachment:
    """Store an uploaded file for a record the actor may change (the caller checked G1 / the coordinator)."""
    if upload is None:
        raise AttachmentError("ファイルを選んでください", field="file")
    if upload.size > max_bytes():
        raise AttachmentError(f"ファイルが大きすぎます（{max_bytes() // (1024 * 1024)} MB まで）", field="file")
    if upload.size == 0:
        raise AttachmentError("ファイルが空です", field="file")
    if kind not in dict(Attachment.KIND_CHOICES):
        raise AttachmentError("種類を選んでください", field="kind")
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise AttachmentError("PDF・JPEG・PNG のファイルだけを添付できます（ファイルの中身で判断します）", field="file")
    content_type, ext = found
    name = os.path.basename(upload.name or "")[:150] or f"添付{ext}"
    if not name.lower().endswith(ext) and not (ext == ".jpg" and name.lower().endswith(".jpeg")):
        name = f"{name}{ext}"
    stored = f"{actor.municipality_id}/{uuid.uuid4().hex}"
    path = root() / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as out:
        os.chmod(tmp, 0o600)
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    os.replace(tmp, path)  # (if the transaction rolls back, the file stays behind unreferenced and unreadable)
    attachment = Attachment.objects.create(
        municipality_id=actor.municipality_id, target_type=target_type, target_id=target.pk, person=person,
        kind=kind, title=name, content_type=content_type, size=upload.size, sha256=digest.hexdigest(),
        stored_as=stored, sensitive=bool(sensitive), agency_id=actor.agency_id, uploaded_by=actor,
        uploaded_at=timezone.now())
    log_action("attachment.added", actor=actor, obj=attachment, request=request, subject_person_id=person.pk,
               detail={"target": target_type, "target_id": target.pk, "type": content_type, "size": upload.size})
    return attachment


def attachments_of(target_type: str, target) -> list[Attachment]:
    return list(Attachment.objects.filter(municipality_id=target.municipality_id, target_type=target_type,
                                          target_id=target.pk).order_by("uploaded_at", "id"))


def visible(attachments, classes: frozenset, person) -> list[Attachment]:
    """The attachments a reader whose grants open `classes` of the record may see listed and download."""
    return [a for a in attachments if required_classes(a, person) <= classes]
