"""What the consultation list (相談台帳) and the referral boxes filter and sort on, and the 相談台帳 export."""

from __future__ import annotations

import csv
import io

from django.db.models import Q

from tsunagu.core.listing import ListSpec
from tsunagu.core.spreadsheet import CsvWriter, append_row
from tsunagu.core.wareki import format_wareki
from tsunagu.directory.choices import agency_choices, district_choices, staff_choices

from .models import Consultation, Referral
from .vocab import URGENCIES, issue_tags_for


def consultation_spec() -> ListSpec:
    return ListSpec(
        date="received_at", date_label="受付日", status=Consultation.STATUS_CHOICES, tag="issue_tags",
        urgency="urgency", district="person__address", worker="received_by_id", worker_label="受付者",
        sorts={"received_at": ("受付日", ["received_at"]), "person": ("本人", ["person__kana"]),
               "status": ("状態", ["status"]), "received_by": ("受付者", ["received_by__username"])},
        default_sort="-received_at")


def consultation_choices(user) -> tuple[dict, dict]:
    """(choices, districts) of the consultation list's filter bar."""
    districts, keys = district_choices(user)
    return {"tag": [(t, t) for t in issue_tags_for(user.municipality)], "urgency": URGENCIES,
            "district": districts, "worker": staff_choices(user)}, keys


def consultations_of(user):
    """The agency's own consultations (G1), through the policy: the 相談台帳 of the list and its export."""
    return (Consultation.objects.visible_to(user).filter(agency_id=user.agency_id)
            .select_related("person", "received_by"))


def referral_spec(user, box: str) -> ListSpec:
    inbox = box == "inbox"
    # 課題 and 緊急度 belong to the referred consultation: they filter only rows whose consultation the user
    # still sees (a returned referral or a withdrawn consent must not answer "which ones were about 孤立").
    seen = Q(consultation__in=Consultation.objects.visible_to(user).values("pk"))
    return ListSpec(
        date="sent_at", date_label="送付日", status=Referral.STATUS_CHOICES, tag="consultation__issue_tags",
        urgency="consultation__urgency", agency="from_agency_id" if inbox else "to_agency_id",
        agency_label="つなぎ元" if inbox else "つなぎ先", worker="" if inbox else "sent_by_id",
        worker_label="送付者", guard=seen,
        sorts={"sent_at": ("送付日", ["sent_at"]),
               "agency": ("つなぎ元" if inbox else "つなぎ先", ["from_agency__sort_order" if inbox
                                                            else "to_agency__sort_order"]),
               "basis": ("根拠", ["basis"]), "status": ("状態", ["status"])},
        default_sort="-sent_at")


def referral_choices(user, box: str) -> dict:
    choices = {"tag": [(t, t) for t in issue_tags_for(user.municipality)], "urgency": URGENCIES,
               "agency": agency_choices(user)}
    if box != "inbox":
        choices["worker"] = staff_choices(user)
    return choices


LEDGER_HEADER = ["番号", "受付日", "本人", "フリガナ", "相談者", "主訴", "課題", "緊急度", "対応方針", "状態", "受付者"]


def ledger_rows(rows) -> list[list]:
    """`rows`: (consultation, PersonView) pairs the user's grants open; a name only where the view shows it."""
    out = []
    for c, pv in rows:
        out.append([c.pk, format_wareki(c.received_at), c.person.name if pv.visible else "",
                    c.person.kana if pv.visible else "", c.consulter_type, c.chief_complaint, "・".join(c.issue_tags or []), c.get_urgency_display(),
                    c.get_triage_display(), c.get_status_display(), str(c.received_by)])
    return out


def ledger_csv(rows) -> bytes:
    stream = io.StringIO()
    writer = CsvWriter(stream, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(LEDGER_HEADER)
    writer.writerows(rows)
    return ("\ufeff" + stream.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV in Japanese


def ledger_xlsx(rows, *, title: str, subtitle: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "相談台帳"
    append_row(ws, [title])
    append_row(ws, [subtitle])
    append_row(ws, LEDGER_HEADER)
    for row in rows:
        append_row(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
