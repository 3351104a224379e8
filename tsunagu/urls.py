from django.contrib.auth import views as auth_views
from django.urls import path

from tsunagu.accounts.urls import urlpatterns as accounts_urls
from tsunagu.api.api import api
from tsunagu.attachments.urls import urlpatterns as attachment_urls
from tsunagu.casework import corrections
from tsunagu.casework import views as casework
from tsunagu.community import views as community
from tsunagu.core import views as core
from tsunagu.directory import views as directory
from tsunagu.evaluation import views as evaluation
from tsunagu.identity.urls import urlpatterns as identity_urls
from tsunagu.intake import views as intake
from tsunagu.ledgers.urls import urlpatterns as ledgers_urls
from tsunagu.meetings import governance_views as governance
from tsunagu.meetings import views as meetings
from tsunagu.notices.urls import urlpatterns as notice_urls
from tsunagu.outreach import views as outreach
from tsunagu.participation import views as participation
from tsunagu.people import emergency
from tsunagu.people import views as people
from tsunagu.privacy import views as privacy

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", core.healthz, name="healthz"),
    path("dates/echo/", core.date_echo, name="date_echo"),
    path("api/v1/", api.urls),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                         redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    *accounts_urls,
    *notice_urls,
    *attachment_urls,
    *ledgers_urls,
    path("directory/agencies/", directory.agency_list, name="agency_list"),
    path("directory/agencies/<int:agency_id>/", directory.agency_detail, name="agency_detail"),
    path("directory/lookup/", directory.address_lookup, name="address_lookup"),
    path("directory/organisation/", directory.organisation, name="organisation"),
    path("audit/", privacy.audit_log, name="audit_log"),
    path("evaluation/", evaluation.dashboard, name="evaluation_dashboard"),
    path("evaluation/manage/", evaluation.manage, name="evaluation_manage"),
    path("evaluation/report.<str:fmt>", evaluation.report_download, name="evaluation_report"),
    path("evaluation/tables/<str:name>.csv", evaluation.table_csv, name="evaluation_table_csv"),
    path("evaluation/prefecture-stats.json", evaluation.prefecture_stats_export, name="prefecture_stats_export"),
    path("prefecture/", evaluation.prefecture_dashboard, name="prefecture_dashboard"),
    path("prefecture/activities/", evaluation.prefecture_activities, name="prefecture_activities"),
    path("intake/", intake.consultation_list, name="consultation_list"),
    path("intake/new/", intake.consultation_new, name="consultation_new"),
    path("intake/export.<str:fmt>", intake.consultation_list_export, name="consultation_list_export"),
    path("intake/<int:consultation_id>/", intake.consultation_detail, name="consultation_detail"),
    path("intake/<int:consultation_id>/refer/", intake.consultation_refer, name="consultation_refer"),
    path("intake/<int:consultation_id>/escalate/", intake.consultation_escalate, name="consultation_escalate"),
    path("intake/<int:consultation_id>/handle/", intake.consultation_handle, name="consultation_handle"),
    path("intake/<int:consultation_id>/close/", intake.consultation_close, name="consultation_close"),
    path("intake/<int:consultation_id>/notes/", intake.consultation_note_add, name="consultation_note_add"),
    path("referrals/inbox/", intake.referral_box, {"box": "inbox"}, name="referral_inbox"),
    path("referrals/outbox/", intake.referral_box, {"box": "outbox"}, name="referral_outbox"),
    path("referrals/<int:referral_id>/", intake.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/accept/", intake.referral_accept, name="referral_accept"),
    path("referrals/<int:referral_id>/return/", intake.referral_return, name="referral_return"),
    path("referrals/<int:referral_id>/resend/", intake.referral_resend, name="referral_resend"),
    path("people/search/", people.person_search, name="person_search"),
    path("people/<int:person_id>/", people.person_detail, name="person_detail"),
    path("people/<int:person_id>/consents/new/", people.consent_new, name="consent_new"),
    path("people/<int:person_id>/access/", people.access_report, name="person_access_report"),
    path("people/<int:person_id>/address/release/", people.address_release, name="address_release"),
    path("people/<int:person_id>/address/<int:release_id>/revoke/", people.address_release_revoke,
         name="address_release_revoke"),
    path("people/<int:person_id>/correct/", corrections.person_correct, name="person_correct"),
    path("people/<int:person_id>/history/", corrections.person_history, name="person_history"),
    path("people/<int:person_id>/households/<int:household_id>/correct/", corrections.household_correct,
         name="household_correct"),
    path("people/<int:person_id>/households/<int:household_id>/history/", corrections.household_history,
         name="household_history"),
    path("intake/<int:consultation_id>/correct/", corrections.consultation_correct, name="consultation_correct"),
    path("intake/<int:consultation_id>/history/", corrections.consultation_history, name="consultation_history"),
    path("cases/<int:case_id>/plans/<int:plan_id>/correct/", corrections.plan_correct, name="plan_correct"),
    path("cases/<int:case_id>/plans/<int:plan_id>/history/", corrections.plan_history, name="plan_history"),
    path("cases/<int:case_id>/notes/<int:note_id>/correct/", corrections.note_correct, name="note_correct"),
    path("cases/<int:case_id>/notes/<int:note_id>/history/", corrections.note_history, name="note_history"),
    path("cases/<int:case_id>/assessment/history/", corrections.assessment_history, name="assessment_history"),
    path("referrals/corrections/", corrections.correction_notices, name="correction_notices"),
    path("referrals/corrections/read/", corrections.correction_notices_read, name="correction_notices_read"),
    path("consents/<int:consent_id>/withdraw/", people.consent_withdraw, name="consent_withdraw"),
    path("emergency/", emergency.emergency_list, name="emergency_list"),
    path("emergency/new/", emergency.emergency_new, name="emergency_new"),
    path("emergency/<int:access_id>/review/", emergency.emergency_review, name="emergency_review"),
    *identity_urls,
    path("intake/<int:consultation_id>/export.<str:fmt>", casework.consultation_export, name="consultation_export"),
    path("today/", casework.today, name="today"),
    path("cases/", casework.case_list, name="case_list"),
    path("cases/export.<str:fmt>", casework.case_list_export, name="case_list_export"),
    path("cases/open/<int:referral_id>/", casework.case_open, name="case_open"),
    path("cases/<int:case_id>/", casework.case_detail, name="case_detail"),
    path("cases/<int:case_id>/team/", casework.case_team_add, name="case_team_add"),
    path("cases/<int:case_id>/notes/", casework.case_note_add, name="case_note_add"),
    path("cases/<int:case_id>/monitor/", casework.case_monitor, name="case_monitor"),
    path("cases/<int:case_id>/assessment/", casework.case_assessment, name="case_assessment"),
    path("cases/<int:case_id>/plans/new/", casework.case_plan_new, name="case_plan_new"),
    path("cases/<int:case_id>/evaluation/new/", casework.case_evaluation_new, name="case_evaluation_new"),
    path("cases/<int:case_id>/actions/<int:action_id>/done/", casework.case_action_done, name="case_action_done"),
    path("cases/<int:case_id>/follow-ups/<int:follow_up_id>/done/", casework.case_follow_up_done,
         name="case_follow_up_done"),
    path("cases/<int:case_id>/export/<str:form>.<str:fmt>", casework.case_export, name="case_export"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/members/", meetings.meeting_member_add, name="meeting_member_add"),
    path("meetings/<int:meeting_id>/members/<int:member_id>/acknowledge/", meetings.meeting_member_acknowledge,
         name="meeting_member_acknowledge"),
    path("meetings/<int:meeting_id>/items/", meetings.meeting_item_add, name="meeting_item_add"),
    path("meetings/<int:meeting_id>/items/<int:item_id>/decide/", meetings.meeting_item_decide,
         name="meeting_item_decide"),
    path("meetings/<int:meeting_id>/items/<int:item_id>/close/", meetings.meeting_item_close,
         name="meeting_item_close"),
    path("meetings/<int:meeting_id>/minutes/", meetings.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:meeting_id>/held/", meetings.meeting_held, name="meeting_held"),
    path("meetings/<int:meeting_id>/agenda/", meetings.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:meeting_id>/items/<int:item_id>/minutes/", meetings.meeting_item_minutes,
         name="meeting_item_minutes"),
    path("outreach/", outreach.target_list, name="outreach_target_list"),
    path("outreach/new/", outreach.target_new, name="outreach_target_new"),
    path("outreach/agreements/", outreach.agreement_list, name="outreach_agreements"),
    path("outreach/<int:target_id>/", outreach.target_detail, name="outreach_target_detail"),
    path("outreach/<int:target_id>/contacts/", outreach.target_contact, name="outreach_target_contact"),
    path("outreach/<int:target_id>/stage/", outreach.target_stage, name="outreach_target_stage"),
    path("outreach/<int:target_id>/agenda/", outreach.target_agenda, name="outreach_target_agenda"),
    path("outreach/<int:target_id>/consent/", outreach.target_consent, name="outreach_target_consent"),
    path("participation/", participation.participation_home, name="participation_home"),
    path("participation/resources/", participation.resource_list, name="resource_list"),
    path("participation/resources/new/", participation.resource_new, name="resource_new"),
    path("participation/resources/<int:resource_id>/", participation.resource_detail, name="resource_detail"),
    path("participation/resources/<int:resource_id>/edit/", participation.resource_edit, name="resource_edit"),
    path("participation/resources/<int:resource_id>/accepting/", participation.resource_accepting,
         name="resource_accepting"),
    path("participation/resources/<int:resource_id>/host-support/", participation.host_support_add,
         name="host_support_add"),
    path("participation/people/<int:person_id>/", participation.participant, name="participant"),
    path("participation/people/<int:person_id>/needs/", participation.needs_save, name="participation_needs"),
    path("participation/people/<int:person_id>/propose/", participation.propose, name="participation_propose"),
    path("participation/people/<int:person_id>/gap/", participation.gap_record, name="participation_gap"),
    path("participation/placements/<int:placement_id>/status/", participation.placement_advance,
         name="participation_advance"),
    path("participation/placements/<int:placement_id>/checkins/<int:checkin_id>/", participation.checkin_done,
         name="participation_checkin"),
    path("community/", community.district_view, name="district_view"),
    path("community/places/new/", community.place_new, name="place_new"),
    path("community/places/<int:place_id>/", community.place_detail, name="place_detail"),
    path("community/places/<int:place_id>/edit/", community.place_edit, name="place_edit"),
    path("community/places/<int:place_id>/retire/", community.place_retire, name="place_retire"),
    path("community/gaps/", community.gap_list, name="gap_list"),
    path("community/gaps/<int:gap_id>/status/", community.gap_status, name="gap_status"),
    path("governance/", governance.governance_home, name="governance_home"),
    path("governance/meetings/<int:meeting_id>/", governance.governance_meeting, name="governance_meeting"),
    path("governance/difficult-cases/", governance.difficult_case_list, name="difficult_case_list"),
    path("governance/roster/", governance.roster, name="roster"),
    path("governance/roster/export.xlsx", governance.roster_export, name="roster_export"),
    path("governance/trainings/", governance.training_list, name="training_list"),
]

handler400 = "tsunagu.core.views.error_400"
handler403 = "tsunagu.core.views.error_403"
handler404 = "tsunagu.core.views.error_404"
handler500 = "tsunagu.core.views.error_500"


def _bound_int_converters(patterns) -> None:
    """An id in a URL is at most a 64-bit integer: a longer number matches no route (404) instead of reaching
    the database, where PostgreSQL would refuse it (a server error). One place, for every <int:…> route."""
    from django.urls import URLPattern, URLResolver
    from django.urls.converters import IntConverter

    class BoundedInt(IntConverter):
        def to_python(self, value):
            number = int(value)
            if number > 2**63 - 1:
                raise ValueError("id out of range")
            return number

    for p in patterns:
        if isinstance(p, URLResolver):
            _bound_int_converters(p.url_patterns)
        elif isinstance(p, URLPattern):
            converters = getattr(p.pattern, "converters", {})
            for name, converter in list(converters.items()):
                if type(converter) is IntConverter:
                    converters[name] = BoundedInt()


_bound_int_converters(urlpatterns)
