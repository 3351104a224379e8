"""多機関協働 from escalation to closure, and 支援会議 without consent (R2, R3, R4, R8)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tsunagu.casework import services as casework
from tsunagu.casework.models import Case, SupportPlan
from tsunagu.core.errors import DomainError
from tsunagu.directory.models import MeetingType
from tsunagu.meetings import services as meetings
from tsunagu.meetings.models import AgendaItem, ResourceGap
from tsunagu.people.models import Person
from tsunagu.people.policy import person_views
from tsunagu.privacy.models import AuditEvent
from tsunagu.privacy.services import record_consent, withdraw_consent

from .casework_fixtures import decide, escalated_case, jusou_meeting, meeting_type, plan, steppu
from .conftest import agency_named

pytestmark = pytest.mark.django_db


@pytest.fixture
def steppu_staff(imizu, make_staff):
    return make_staff(imizu, "steppu", "intake", steppu(imizu), "すてっぷ 職員")


def test_a_case_goes_from_escalation_to_closure(intake_a, staff_b, steppu_staff, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    assert case.status == Case.INTAKE and case.referral.status == "accepted"
    # The consented team: three agencies, each with its role.
    for staff, role in [(intake_a, "母の介護サービス調整"), (staff_b, "本人の障害福祉サービス"),
                        (steppu_staff, "家計改善・就労準備")]:
        casework.add_team_member(coordinator, case, agency=staff.agency, role=role)
    assert Person.objects.visible_to(steppu_staff).filter(pk=case.person_id).exists()
    assert person_views(steppu_staff, [case.person])[case.person_id].sensitive
    casework.save_assessment(coordinator, case, {
        "wishes": "母と一緒に暮らし続けたい", "issues": [{"domain": "介護", "severity": "3", "note": "要介護3"}],
        "risks": {"自殺": {"level": "低", "note": ""}},
        "connections": [{"name": "民生委員", "kind": "community", "strength": "weak"}]})
    case.refresh_from_db()
    assert case.status == Case.ASSESSMENT
    v1 = plan(coordinator, case, staff_b.agency, [intake_a.agency, staff_b.agency, steppu_staff.agency])
    case.refresh_from_db()
    assert case.status == Case.PLAN_DRAFT and case.active_plan() is None  # R3: a draft is not active
    meeting = jusou_meeting(coordinator, imizu, members=[intake_a, staff_b, steppu_staff])
    item = meetings.add_agenda_item(coordinator, meeting, purpose=AgendaItem.PLAN_REVIEW, case=case)
    case.refresh_from_db()
    assert item.plan == v1 and item.legal_basis == "consent" and case.status == Case.AWAITING_APPROVAL
    decide(coordinator, item, decision=AgendaItem.APPROVED, note="適切")
    case.refresh_from_db()
    v1.refresh_from_db()
    assert v1.status == SupportPlan.APPROVED and case.status == Case.SUPPORTING
    assert case.active_plan() == v1 and case.lead_agency == staff_b.agency
    # Progress notes by three agencies.
    for staff in (intake_a, staff_b, steppu_staff):
        casework.add_progress_note(staff, case, kind="visit", occurred_at=timezone.now(), text=f"{staff}が訪問")
    assert case.notes.count() == 3
    # Plan v2 approved at the next meeting; v1 becomes the old version.
    casework.start_monitoring(coordinator, case)
    v2 = plan(coordinator, case, steppu_staff.agency, [steppu_staff.agency], goal="就労体験へ")
    assert v2.version == 2
    m2 = jusou_meeting(coordinator, imizu)
    decide(coordinator, meetings.add_agenda_item(coordinator, m2, purpose="plan", case=case),
                         decision="approved")
    v1.refresh_from_db()
    assert v1.status == SupportPlan.SUPERSEDED and case.active_plan() == v2
    # Evaluation approved at a 重層的支援会議 closes the case (R4).
    casework.draft_evaluation(coordinator, case, goal_review="目標を達成", changes="本人が週2回通所",
                              remaining_issues="", recommendation="close", follow_up=True)
    m3 = jusou_meeting(coordinator, imizu)
    item = meetings.add_agenda_item(coordinator, m3, purpose="evaluation", case=case)
    case.refresh_from_db()
    assert case.status == Case.AWAITING_CLOSURE
    decide(coordinator, item, decision="approved", gap_title="ひきこもりの人の夜間の居場所")
    case.refresh_from_db()
    assert case.status == Case.CLOSED and case.closed_at and case.follow_ups.count() == 2
    assert ResourceGap.objects.filter(municipality=imizu, title="ひきこもりの人の夜間の居場所").exists()
    codes = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"case.opened", "case.team_added", "plan.approved", "note.added", "evaluation.approved",
            "case.closed", "resource_gap.recorded"} <= codes


def test_a_case_without_consent_goes_to_a_support_meeting_until_consent(intake_a, coordinator, imizu, make_staff):
    member = make_staff(imizu, "minsei", "meeting_member", None, "民生委員 和子")
    case = escalated_case(intake_a, coordinator, consent=False)
    with pytest.raises(DomainError, match="支援会議で検討"):
        casework.add_team_member(coordinator, case, agency=intake_a.agency, role="介護")
    jusou = jusou_meeting(coordinator, imizu)
    with pytest.raises(DomainError, match="本人同意が記録されていない"):
        meetings.add_agenda_item(coordinator, jusou, purpose="sharing", case=case)
    shien = meetings.schedule_meeting(coordinator, meeting_type=meeting_type(imizu, "支援会議"),
                                      title="支援会議", scheduled_at=timezone.now())
    m = meetings.add_member(coordinator, shien, staff=member, label="民生委員（放生津地区）")
    item = meetings.add_agenda_item(coordinator, shien, purpose="sharing", case=case, summary="近隣から孤立の情報")
    assert item.legal_basis == "support_meeting"
    # Before the confidentiality duty is recorded the member sees nothing.
    assert not Person.objects.visible_to(member).filter(pk=case.person_id).exists()
    meetings.acknowledge_confidentiality(member, m)
    assert Person.objects.visible_to(member).filter(pk=case.person_id).exists()
    assert not person_views(member, [case.person])[case.person_id].basic  # materials only, not the full record
    # The refusal names the city's own approving meetings (R9), here the two of 射水市's profile.
    with pytest.raises(DomainError, match="本人同意のある重層的支援個別会議\\(ケース会議\\)・重層的支援会議でだけ"):
        meetings.add_agenda_item(coordinator, shien, purpose="plan", case=case)
    # Consent obtained: the case moves to the 重層的支援会議 and sharing under 法106条の6 ends.
    record_consent(coordinator, person=case.person, scope_all_agencies=True, purposes=["会議での協議"],
                   method="書面", obtained_on=timezone.localdate())
    meetings.add_agenda_item(coordinator, jusou, purpose="sharing", case=case)
    meetings.close_item_sharing(coordinator, item)
    assert not Person.objects.visible_to(member).filter(pk=case.person_id).exists()


def test_merged_meeting_sets_the_legal_basis_per_item(intake_a, coordinator, imizu):
    """A city that merges both meetings ("ひとまる会議") needs only a profile setting."""
    from tsunagu.directory.profile_schema import MeetingType as MeetingTypeSpec
    from tsunagu.directory.services import load_profile

    from .conftest import parsed_profile

    profile = parsed_profile("imizu")
    merged = MeetingTypeSpec(code="hitomaru", name="ひとまる会議", kind="統合会議", consent_rule="per_item",
                             confidentiality_duty=True, statute="社会福祉法第106条の6", takes_case_items=True)
    load_profile(profile.model_copy(update={"meeting_types": [*profile.meeting_types, merged]}))
    hitomaru = MeetingType.objects.get(municipality=imizu, code="hitomaru")
    m = meetings.schedule_meeting(coordinator, meeting_type=hitomaru, title="ひとまる会議", scheduled_at=timezone.now())
    without = escalated_case(intake_a, coordinator, consent=False)
    with pytest.raises(DomainError, match="議題ごとに根拠を選びます: 本人同意 または 社会福祉法第106条の6（支援会議）"):
        meetings.add_agenda_item(coordinator, m, purpose="sharing", case=without)
    with pytest.raises(DomainError, match="本人同意が記録されていない"):
        meetings.add_agenda_item(coordinator, m, purpose="sharing", case=without, legal_basis="consent")
    item = meetings.add_agenda_item(coordinator, m, purpose="sharing", case=without, legal_basis="support_meeting")
    assert item.legal_basis == "support_meeting"
    # In the same meeting, a consented case is discussed on the consent basis and its plan approved.
    with_consent = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, with_consent, agency=intake_a.agency, role="介護")
    plan(coordinator, with_consent, intake_a.agency, [intake_a.agency])
    approved = meetings.add_agenda_item(coordinator, m, purpose="plan", case=with_consent, legal_basis="consent")
    decide(coordinator, approved, decision="approved")
    assert with_consent.active_plan() is not None


def test_withdrawal_cuts_the_team_and_stops_the_meeting(intake_a, staff_b, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    casework.save_assessment(coordinator, case, {"wishes": "家にいたい"})
    plan(coordinator, case, staff_b.agency, [staff_b.agency])
    meeting = jusou_meeting(coordinator, imizu, members=[staff_b])
    item = meetings.add_agenda_item(coordinator, meeting, purpose="plan", case=case)
    assert Person.objects.visible_to(staff_b).filter(pk=case.person_id).exists()
    withdraw_consent(coordinator, item.consent, note="本人から撤回")
    assert not Person.objects.visible_to(staff_b).filter(pk=case.person_id).exists()
    assert not Case.objects.visible_to(staff_b).filter(pk=case.pk).exists()
    with pytest.raises(DomainError, match="撤回"):
        decide(coordinator, item, decision="approved")
    with pytest.raises(PermissionDenied):
        casework.add_progress_note(staff_b, case, kind="visit", occurred_at=timezone.now(), text="x")


def test_plan_rules(intake_a, staff_b, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    outsider = agency_named(imizu, "大門地域包括")
    with pytest.raises(DomainError, match="主担当機関は支援チーム"):
        plan(coordinator, case, outsider, [staff_b.agency])
    with pytest.raises(DomainError, match="取組1の担当機関"):
        plan(coordinator, case, staff_b.agency, [outsider])
    with pytest.raises(DomainError, match="見直し日"):
        casework.draft_plan(coordinator, case, long_term_goal="a", short_term_goals="b", lead_agency=staff_b.agency,
                            review_date=timezone.localdate(), actions=[])
    plan(coordinator, case, staff_b.agency, [staff_b.agency])
    with pytest.raises(DomainError, match="承認されていない案"):
        plan(coordinator, case, staff_b.agency, [staff_b.agency])
    with pytest.raises(PermissionDenied):
        plan(staff_b, case, staff_b.agency, [staff_b.agency])


def test_sent_back_plan_returns_to_draft(intake_a, staff_b, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    v1 = plan(coordinator, case, staff_b.agency, [staff_b.agency])
    m = jusou_meeting(coordinator, imizu)
    item = meetings.add_agenda_item(coordinator, m, purpose="plan", case=case)
    with pytest.raises(DomainError, match="承認」か「差し戻し"):
        decide(coordinator, item, decision="noted")
    decide(coordinator, item, decision="sent_back", note="役割分担を見直すこと")
    v1.refresh_from_db()
    case.refresh_from_db()
    assert v1.status == SupportPlan.SENT_BACK and case.status == Case.PLAN_DRAFT
    casework.redraft_sent_back_plan(coordinator, v1)
    assert plan(coordinator, case, staff_b.agency, [staff_b.agency]).version == 2


def test_evaluation_can_return_the_case_to_the_window(intake_a, staff_b, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    plan(coordinator, case, staff_b.agency, [staff_b.agency])
    m = jusou_meeting(coordinator, imizu)
    decide(coordinator, meetings.add_agenda_item(coordinator, m, purpose="plan", case=case),
                         decision="approved")
    casework.draft_evaluation(coordinator, case, goal_review="安定", changes="落ち着いた", remaining_issues="",
                              recommendation="return", follow_up=True)
    m2 = jusou_meeting(coordinator, imizu)
    decide(coordinator, meetings.add_agenda_item(coordinator, m2, purpose="evaluation", case=case),
                         decision="approved")
    case.refresh_from_db()
    assert case.status == Case.RETURNED and case.lead_agency == intake_a.agency
    assert case.follow_ups.filter(agency=intake_a.agency).count() == 2


def test_only_the_organiser_decides(intake_a, staff_b, coordinator, imizu):
    case = escalated_case(intake_a, coordinator)
    casework.add_team_member(coordinator, case, agency=staff_b.agency, role="障害福祉")
    plan(coordinator, case, staff_b.agency, [staff_b.agency])
    m = jusou_meeting(coordinator, imizu, members=[staff_b])
    item = meetings.add_agenda_item(coordinator, m, purpose="plan", case=case)
    with pytest.raises(PermissionDenied):
        meetings.decide_item(staff_b, item, decision="approved")
    with pytest.raises(PermissionDenied):
        meetings.schedule_meeting(staff_b, meeting_type=meeting_type(imizu, "重層的支援会議"), title="x",
                                  scheduled_at=timezone.now())


def test_open_case_rules(intake_a, coordinator, staff_b):
    from tsunagu.intake import services as intake

    from .intake_fixtures import record

    c = record(intake_a, consent_all=True)
    r = intake.refer_consultation(intake_a, c, to_agency=staff_b.agency)
    with pytest.raises(PermissionDenied):
        casework.open_case(coordinator, referral=r)
    with pytest.raises(PermissionDenied):
        casework.open_case(staff_b, referral=r)
    r2 = intake.escalate_to_multiagency(intake_a, record(intake_a, consent_all=True, name="別 人"))
    case = casework.open_case(coordinator, referral=r2, at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(DomainError, match="すでに事例"):
        casework.open_case(coordinator, referral=r2)
    assert case.title.endswith("さんの事例")
