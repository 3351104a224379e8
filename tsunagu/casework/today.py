"""今日やること: per user — plans past their review date, overdue actions, meetings this week, waiting referrals,
follow-ups due, and emergency access to review. Everything through the grants."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tsunagu.intake.models import Consultation, Referral
from tsunagu.intake.policy import referrals_of

from .models import Case, FollowUp, PlanAction, SupportPlan

LIMIT = 20  # per list; `totals` has the true number of each


def _bounded(out: dict, key: str, qs, limit: int) -> None:
    """The first `limit` rows of `qs` as out[key], and its true count in out["totals"][key] (counted in SQL)."""
    rows = list(qs[:limit + 1]) if limit else []
    out[key] = rows[:limit]
    out["totals"][key] = len(rows) if len(rows) <= limit and limit else qs.count()


def today_for(user, limit: int = LIMIT) -> dict:
    """`limit=0`: the counts only (home)."""
    if not user.is_authenticated or not user.municipality_id:
        return {}
    from tsunagu.meetings.models import Meeting
    from tsunagu.meetings.policy import visible_meeting_q
    from tsunagu.people.emergency import reviewable

    today = timezone.localdate()
    week_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    out = {
        "totals": {},
        # 緊急時の閲覧: the agency that recorded the person and the manager are told (ACCESS.md G10).
        "emergency_to_review": reviewable(user).filter(reviewed_at__isnull=True).count(),
    }
    _bounded(out, "meetings", Meeting.objects.filter(visible_meeting_q(user)).filter(
        scheduled_at__gte=week_start, scheduled_at__lt=week_start + dt.timedelta(days=7))
        .select_related("meeting_type").order_by("scheduled_at", "pk"), limit)
    if not user.is_casework:
        return out
    # 対応中の相談: what the agency holds (its own records, the receiver's records of referrals it accepted
    # included), the oldest first, bounded, with the true total.
    held = Consultation.objects.filter(municipality_id=user.municipality_id, agency_id=user.agency_id).exclude(
        status="closed")
    out["open_consultations"] = (list(held.select_related("person").order_by("received_at", "id")[:limit])
                                 if limit else [])
    out["open_consultations_total"] = held.count()
    cases = Case.objects.visible_to(user).filter(status__in=Case.OPEN_STATUSES)
    mine = cases.filter(Q(coordinator=user) | Q(lead_agency_id=user.agency_id))
    from tsunagu.privacy.corrections import notices_for

    out["corrections"] = notices_for(user, unread_only=True).count()  # 訂正のお知らせ（未確認）
    _bounded(out, "plans_due", SupportPlan.objects.filter(case__in=mine, status=SupportPlan.APPROVED,
                                                          review_date__lte=today)
             .select_related("case").order_by("review_date", "pk"), limit)
    _bounded(out, "overdue_actions", PlanAction.objects.filter(
        plan__case__in=cases, plan__status=SupportPlan.APPROVED, agency_id=user.agency_id, done_at__isnull=True,
        due_date__lt=today).select_related("plan__case", "agency").order_by("due_date", "pk"), limit)
    _bounded(out, "referrals", referrals_of(user).filter(to_agency_id=user.agency_id, status=Referral.SENT)
             .select_related("from_agency").order_by("sent_at", "pk"), limit)
    # 終結後の見守り still to do; one that a later 見守り of the same case has already covered drops off (a missed
    # 3-month visit does not wait forever once the 6-month one is done).
    covered = FollowUp.objects.filter(case_id=OuterRef("case_id"), done_at__isnull=False,
                                      due_date__gt=OuterRef("due_date"))
    _bounded(out, "follow_ups", FollowUp.objects.filter(case__in=Case.objects.visible_to(user),
                                                        agency_id=user.agency_id, done_at__isnull=True,
                                                        due_date__lte=today + dt.timedelta(days=7))
             .exclude(Exists(covered)).select_related("case").order_by("due_date", "pk"), limit)
    return out
