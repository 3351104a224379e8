"""Helpers for outreach / participation / community tests: program staff at 地域福祉課 and builders that go
through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tsunagu.directory.models import District
from tsunagu.outreach import services as outreach
from tsunagu.participation import services as participation

from .conftest import agency_named


def outreach_staff(imizu, make_staff, username="outreach"):
    return make_staff(imizu, username, "outreach", agency_named(imizu, "地域福祉課"), "訪問 専門員")


def participation_staff(imizu, make_staff, username="sanka"):
    return make_staff(imizu, username, "participation", agency_named(imizu, "地域福祉課"), "参加 コーディネーター")


def referred_to_participation(intake, coordinator, *, name="引籠 太一", tags=("ひきこもり",), consent=True,
                              purposes=("関係機関へのつなぎ", "多機関協働", "参加支援")):
    """A person a window records (with consent), hands to 多機関協働, whose plan says 参加支援へつなぐ: the basis
    of the participation role's grant (ACCESS.md G9)."""
    from tsunagu.casework import services as casework
    from tsunagu.intake import services as intake_services

    from .intake_fixtures import record

    c = record(intake, name=name, tags=tags, consent_all=consent, purposes=purposes)
    r = intake_services.escalate_to_multiagency(intake, c, message="社会参加の場が必要",
                                                statutory_basis="" if consent else "vital")
    case = casework.open_case(coordinator, referral=r)
    lead = case.coordinating_agency
    today = timezone.localdate()
    casework.draft_plan(coordinator, case, long_term_goal="通える居場所を見つける", short_term_goals="見学",
                        lead_agency=lead, review_date=today + dt.timedelta(days=90), refer_participation=True,
                        actions=[{"description": "参加支援の調整", "agency": lead, "due_date": today + dt.timedelta(days=30)}])
    return c.person


def district(municipality, code):
    return District.objects.for_municipality(municipality).get(code=code)


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


def water_meter_target(user, *, name="水野 静男", found=70, agreement=None):
    """A 水道検針 report: the meter reader noticed unread notices and no sign of life."""
    return outreach.register_target(
        user, address="射水市戸破1番地", source="水道検針", provider="射水市上下水道局 検針員",
        noticed="2か月続けて検針票がポストに残っている。夜だけ明かりがつく。", legal_basis="agreement" if agreement
        else "vital", agreement=agreement, found_on=days_ago(found), name=name, kana="ミズノ シズオ",
        approx_age="50代", phone="0766-11-2222", household_note="80代の母と二人暮らしらしい",
        issue_tags=["ひきこもり", "8050"])


def cafe(user, imizu, **overrides):
    values = {"name": "すてっぴカフェ", "kind": "居場所", "host": "射水市社会福祉協議会", "contact": "0766-55-5204",
              "district": district(imizu, "hyoguri"), "schedule": "毎週火・木 13:00〜16:00", "days": ["火", "木"],
              "capacity": 10, "cost": 0, "needs": ["居場所", "ひきこもり", "孤立", "人との交流"],
              "accessibility": ["少人数", "予約不要"]}
    values.update(overrides)
    return participation.create_resource(user, **values)
