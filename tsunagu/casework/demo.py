"""Demo 多機関協働 data for 射水市: the escalations of the intake demo become cases; some have a team, an
assessment and a plan; a 重層的支援会議 held this morning (attendance, minutes) approved some plans, the next
one this week has the rest on its agenda; a 支援会議 discusses a case without
consent with a 民生委員 who has recorded the duty of confidentiality. Deterministic and run once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tsunagu.directory.models import Agency, MeetingType, Staff
from tsunagu.intake.models import Referral
from tsunagu.meetings import services as meetings
from tsunagu.privacy.services import active_consent_for

from . import services
from .models import Case


@transaction.atomic
def load_casework_demo(municipality) -> int:
    if Case.objects.filter(municipality=municipality).exists():
        return 0
    coordinator = Staff.objects.filter(municipality=municipality, roles__kind="coordinator",
                                       agency__isnull=False).order_by("id").first()
    if coordinator is None:
        return 0
    escalations = Referral.objects.filter(municipality=municipality, purpose="multiagency",
                                          to_agency=coordinator.agency).exclude(status="returned").order_by("id")
    windows = [a for a in Agency.objects.for_municipality(municipality).filter(active=True)
               if "包括的相談支援" in a.kinds]
    today = timezone.localdate()
    now = timezone.now()
    jusou_type = MeetingType.objects.for_municipality(municipality).filter(kind="重層的支援会議").first()
    shien_type = MeetingType.objects.for_municipality(municipality).filter(kind="支援会議").first()
    jusou = meetings.schedule_meeting(coordinator, meeting_type=jusou_type, title="重層的支援会議（定例）",
                                      scheduled_at=now + dt.timedelta(days=2), place="射水市役所 会議室")
    shien = meetings.schedule_meeting(coordinator, meeting_type=shien_type, title="支援会議",
                                      scheduled_at=now + dt.timedelta(days=3), place="射水市役所 会議室")
    # This morning's 重層的支援会議, held: attendance, minutes and decisions (recorded after it was held).
    held = meetings.schedule_meeting(coordinator, meeting_type=jusou_type, title="重層的支援会議（臨時）",
                                     scheduled_at=now - dt.timedelta(hours=3), place="射水市役所 会議室")
    meetings.add_member(coordinator, held, staff=coordinator)
    to_decide = []
    member = Staff.objects.filter(municipality=municipality, roles__kind="meeting_member").first()
    if member:
        m = meetings.add_member(coordinator, shien, staff=member, label=f"{member}（民生委員）")
        meetings.acknowledge_confidentiality(coordinator, m)
    created, corrected = 0, False
    for i, referral in enumerate(escalations):
        case = services.open_case(coordinator, referral=referral, at=referral.sent_at + dt.timedelta(days=1))
        created += 1
        team = [a for a in windows if active_consent_for(case.person, a, "多機関協働")][:2]
        if not team:
            meetings.add_agenda_item(coordinator, shien, purpose="sharing", case=case,
                                     summary="本人の同意が得られていない。関係機関の把握している状況を共有する。")
            continue
        for agency in team:
            services.add_team_member(coordinator, case, agency=agency, role=f"{'・'.join(agency.fields)}の支援")
            member_staff = Staff.objects.filter(agency=agency, is_active=True,
                                                roles__kind__in=["intake", "liaison"]).order_by("id").first()
            for meeting in (jusou, held):
                if member_staff and not meeting.members.filter(staff=member_staff).exists():
                    meetings.add_member(coordinator, meeting, staff=member_staff)
        if i % 3 == 2:
            continue  # still gathering information
        services.save_assessment(coordinator, case, {
            "household_notes": "高齢の親と同居。主な収入は年金。", "wishes": "今の家で家族と暮らし続けたい",
            "issues": [{"domain": "介護", "severity": "3", "note": "親の介護負担が大きい"},
                       {"domain": "社会参加・孤立", "severity": "2", "note": "本人は長く外出していない"}],
            "risks": {"自殺": {"level": "低", "note": ""}},
            "connections": [{"name": team[0].name, "kind": "agency", "strength": "strong"},
                            {"name": "民生委員", "kind": "community", "strength": "weak"},
                            {"name": "別居の姉", "kind": "family", "strength": "stress"}]})
        if not corrected:
            corrected = _corrections(coordinator, case, referral)
        services.draft_plan(
            coordinator, case, long_term_goal="家族が無理なく暮らし続けられる", short_term_goals="介護サービスの導入と本人の居場所づくり",
            lead_agency=team[0], review_date=today + dt.timedelta(days=60 if i % 2 else 90),
            actions=[{"description": "サービス利用の調整", "agency": team[0], "due_date": today + dt.timedelta(days=14)},
                     {"description": "本人への訪問", "agency": team[-1], "due_date": today - dt.timedelta(days=3)}])
        if i % 2 == 0:
            to_decide.append((case, meetings.add_agenda_item(coordinator, held, purpose="plan", case=case,
                                                             summary="プラン案の協議")))
        else:
            meetings.add_agenda_item(coordinator, jusou, purpose="plan", case=case, summary="プラン案の協議")
    gap = meetings.add_agenda_item(coordinator, held, purpose="resources", summary="夜間に過ごせる居場所の不足について")
    members = list(held.members.all())
    meetings.record_held(coordinator, held, held_at=now - dt.timedelta(hours=3),
                         attended=[m.pk for m in members[:-1]] or [members[0].pk],
                         minutes="出席者全員で各プラン案と地域の社会資源について協議した。")
    for case, item in to_decide:
        meetings.decide_item(coordinator, item, decision="approved", note="適切と判断",
                             minutes="主担当と各機関の役割を確認し、プラン案を承認した。")
        services.add_progress_note(coordinator, case, kind="visit", occurred_at=now - dt.timedelta(hours=1),
                                   text="自宅を訪問し、本人と母に会えた。")
    meetings.decide_item(coordinator, gap, decision="noted", gap_title="ひきこもりの人が夜間に過ごせる居場所",
                         minutes="地域課題として記録し、地域づくりの担当と検討する。")
    return created


def _corrections(coordinator, case, referral) -> bool:
    """訂正と履歴 in the demo: a re-assessment (第2版), and the window corrects the person's phone and the
    consultation's urgency (the coordinating agency, which received them, is told)."""
    from tsunagu.intake.services import CONSULTATION_CORRECTION_FIELDS, correct_consultation
    from tsunagu.people.services import PERSON_FIELDS, correct_person

    assessment = case.assessment
    services.save_assessment(coordinator, case, {
        **{f: getattr(assessment, f) for f in services.ASSESSMENT_FIELDS},
        "wishes": "今の家で家族と暮らし続けたい。本人は少しずつ外に出たいと話している"},
        reason="再アセスメント（本人との面談で意向を確認）")
    window, person, consultation = referral.sent_by, case.person, referral.consultation
    if person.recorded_by_agency_id == window.agency_id:
        correct_person(window, person, {**{f: getattr(person, f) for f in PERSON_FIELDS}, "phone": "0766-51-0000"},
                       reason="本人から電話番号の変更の連絡")
    if consultation.agency_id == window.agency_id and consultation.urgency != "high":
        correct_consultation(window, consultation, {
            **{f: getattr(consultation, f) for f in CONSULTATION_CORRECTION_FIELDS}, "urgency": "high"},
            reason="受付時の緊急度の誤り（親の介護負担が限界との連絡）")
    return True
