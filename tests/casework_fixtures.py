import datetime as dt

from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.directory.models import MeetingType
from tsunagu.intake import services as intake
from tsunagu.meetings import services as meetings

from .conftest import agency_named
from .intake_fixtures import record


def meeting_type(municipality, kind):
    return MeetingType.objects.for_municipality(municipality).filter(kind=kind).order_by("sort_order").first()


def escalated_case(intake_a, coordinator, *, consent=True):
    c = record(intake_a, consent_all=consent)
    r = intake.escalate_to_multiagency(intake_a, c, message="8050と経済的困窮",
                                       statutory_basis="" if consent else "vital")
    return casework.open_case(coordinator, referral=r)


def steppu(imizu):
    return agency_named(imizu, "すてっぷ")


def plan(coordinator, case, lead, agencies, *, goal="母の介護と本人の社会参加を両立する"):
    today = timezone.localdate()
    return casework.draft_plan(
        coordinator, case, long_term_goal=goal, short_term_goals="介護サービス導入・本人の通所開始",
        lead_agency=lead, review_date=today + dt.timedelta(days=90),
        actions=[{"description": f"{a.name}の取組", "agency": a, "due_date": today + dt.timedelta(days=30)}
                 for a in agencies])


def jusou_meeting(coordinator, imizu, members=()):
    m = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "重層的支援会議"),
                                  title="第1回 重層的支援会議", scheduled_at=timezone.now())
    for staff in members:
        meetings.add_member(coordinator, m, staff=staff)
    return m


def hold(coordinator, meeting, held_at=None):
    """Record the meeting as held (everyone attended; a statutory-duty meeting's pledges received there), so its
    items can be decided (meetings.services.record_held)."""
    if not meeting.members.exists():
        meetings.add_member(coordinator, meeting, staff=coordinator)
    ids = list(meeting.members.values_list("pk", flat=True))
    return meetings.record_held(coordinator, meeting, held_at=held_at or timezone.now(), attended=ids, pledged=ids)


def decide(coordinator, item, **kwargs):
    """Decide an agenda item at a held meeting (holding it first, as the meeting happens before its decisions)."""
    meeting = item.meeting
    meeting.refresh_from_db()
    if meeting.status != "held":
        hold(coordinator, meeting)
    return meetings.decide_item(coordinator, item, **kwargs)
