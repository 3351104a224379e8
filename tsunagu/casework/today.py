"""今日やること: per user — plans past their review date, overdue actions, meetings this week, waiting referrals,
follow-ups due. Everything through the visibility rules."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from tsunagu.intake.models import Referral

from .models import Case, FollowUp, PlanAction, SupportPlan


def today_for(user) -> dict[str, list]:
    if not user.is_authenticated or not user.municipality_id:
        return {}
    from tsunagu.meetings.models import Meeting
    from tsunagu.meetings.policy import visible_meeting_q

    today = timezone.localdate()
    cases = Case.objects.visible_to(user).filter(status__in=Case.OPEN_STATUSES)
    mine = cases.filter(Q(coordinator=user) | Q(lead_agency_id=user.agency_id)) if user.agency_id else cases.none()
    week_start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return {
        "plans_due": list(SupportPlan.objects.filter(case__in=mine, status=SupportPlan.APPROVED,
                                                     review_date__lte=today).select_related("case")),
        "overdue_actions": list(PlanAction.objects.filter(
            plan__case__in=cases, plan__status=SupportPlan.APPROVED, agency_id=user.agency_id, done_at__isnull=True,
            due_date__lt=today).select_related("plan__case", "agency")) if user.agency_id else [],
        "meetings": list(Meeting.objects.filter(visible_meeting_q(user)).distinct().filter(
            scheduled_at__gte=week_start, scheduled_at__lt=week_start + dt.timedelta(days=7))
            .select_related("meeting_type").order_by("scheduled_at")),
        "referrals": list(Referral.objects.for_agency(user).filter(to_agency_id=user.agency_id, status=Referral.SENT)
                          .select_related("from_agency").order_by("sent_at")[:50]) if user.agency_id else [],
        "follow_ups": list(FollowUp.objects.filter(case__in=Case.objects.visible_to(user),
                                                   agency_id=user.agency_id, done_at__isnull=True,
                                                   due_date__lte=today + dt.timedelta(days=7))
                           .select_related("case")) if user.agency_id else [],
    }
