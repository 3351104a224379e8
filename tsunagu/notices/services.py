"""Writing お知らせ: called by the services that make something wait for someone, inside their transaction (a
refused or rolled-back action tells nobody). Texts name records by number and agencies by name, never a person."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import Notice


def _recipients(municipality_id: int, *, staff_ids=(), agency_ids=(), role_kinds=(), exclude=None):
    Staff = get_user_model()
    qs = Staff.objects.filter(municipality_id=municipality_id, is_active=True)
    from django.db.models import Q

    where = Q(pk__in=[s for s in staff_ids if s])
    if agency_ids:
        where |= Q(agency_id__in=[a for a in agency_ids if a])
    if role_kinds:
        where |= Q(roles__kind__in=list(role_kinds))
    ids = set(qs.filter(where).values_list("pk", flat=True))
    if exclude is not None:
        ids.discard(getattr(exclude, "pk", exclude))
    return sorted(ids)


def notify(municipality_id: int, kind: str, text: str, *, url: str = "", staff_ids=(), agency_ids=(),
           role_kinds=(), exclude=None, key: str = "", at: dt.datetime | None = None) -> int:
    """One notice for each active staff member named, of the agencies named, or holding the role kinds named
    (not the person who caused it). With a key, a recipient who already has that key gets no second one."""
    ids = _recipients(municipality_id, staff_ids=staff_ids, agency_ids=agency_ids, role_kinds=role_kinds,
                      exclude=exclude)
    if key:
        ids = sorted(set(ids) - set(Notice.objects.filter(recipient_id__in=ids, key=key)
                                    .values_list("recipient_id", flat=True)))
    now = at or timezone.now()
    Notice.objects.bulk_create([Notice(municipality_id=municipality_id, recipient_id=i, kind=kind, text=text[:300],
                                       url=url[:200], created_at=now, key=key) for i in ids])
    return len(ids)


def unread_count(user) -> int:
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


@transaction.atomic
def mark_read(user, notice_ids=None) -> int:
    qs = Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=list(notice_ids))
    return qs.update(read_at=timezone.now())


DUE_WITHIN_DAYS = 7


@transaction.atomic
def create_due_notices(municipality, today: dt.date | None = None) -> int:
    """Reviews of approved plans and follow-ups coming due within a week: one notice per item and date for the
    staff of the agency that holds it (idempotent: a second run the same day, or the next, adds nothing)."""
    from django.urls import reverse

    from tsunagu.casework.models import Case, FollowUp, SupportPlan

    today = today or timezone.localdate()
    until = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    made = 0
    plans = (SupportPlan.objects.filter(municipality=municipality, status=SupportPlan.APPROVED,
                                        review_date__lte=until)
             .exclude(case__status=Case.CLOSED).select_related("case").order_by("id"))
    for plan in plans.iterator(chunk_size=500):
        late = "を過ぎています" if plan.review_date < today else "が近づいています"
        made += notify(municipality.pk, Notice.REVIEW_DUE,
                       f"事例 #{plan.case_id} の支援プラン（第{plan.version}版）の見直し日{late}",
                       url=reverse("case_detail", args=[plan.case_id]),
                       agency_ids=[plan.case.coordinating_agency_id], key=f"review:{plan.pk}:{plan.review_date}")
    follow_ups = FollowUp.objects.filter(municipality=municipality, done_at__isnull=True,
                                         due_date__lte=until).order_by("id")
    for fu in follow_ups.iterator(chunk_size=500):
        late = "を過ぎています" if fu.due_date < today else "が近づいています"
        made += notify(municipality.pk, Notice.FOLLOW_UP_DUE, f"事例 #{fu.case_id} の見守りの予定日{late}",
                       url=reverse("case_detail", args=[fu.case_id]), agency_ids=[fu.agency_id],
                       key=f"follow_up:{fu.pk}:{fu.due_date}")
    return made


def send_digests(municipality, *, base_url: str = "") -> int:
    """The optional daily e-mail (Django's mail settings): to each active staff member with an address and unread
    notices, the number waiting and a link — never a name or a record's content. Returns the number sent."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.db.models import Count, Q

    from tsunagu.privacy.audit import log_action

    staff = (get_user_model().objects.filter(municipality=municipality, is_active=True).exclude(email="")
             .annotate(unread=Count("notices", filter=Q(notices__read_at__isnull=True))).filter(unread__gt=0))
    sent = 0
    link = f"{base_url.rstrip('/')}/notices/" if base_url else "/notices/"
    for s in staff.order_by("id"):
        send_mail(f"[{municipality.program_name or 'tsunagu'}] 未読のお知らせが {s.unread} 件あります",
                  f"{s}様\n\n{municipality.name}の{municipality.program_name or 'tsunagu'}に、未読のお知らせが"
                  f" {s.unread} 件あります。\n内容はログインして確認してください: {link}\n\n"
                  "（このメールには個人の情報を含めていません）\n", None, [s.email])
        sent += 1
    log_action("notice.digest_sent", municipality=municipality, actor_label="(日次処理)",
               detail={"recipients": sent})
    return sent
