from django.contrib.auth import views as auth_views
from django.urls import path

from tsunagu.casework import views as casework
from tsunagu.core import views as core
from tsunagu.directory import views as directory
from tsunagu.intake import views as intake
from tsunagu.meetings import views as meetings
from tsunagu.people import views as people
from tsunagu.privacy import views as privacy

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", core.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                         redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("directory/agencies/", directory.agency_list, name="agency_list"),
    path("directory/agencies/<int:agency_id>/", directory.agency_detail, name="agency_detail"),
    path("directory/lookup/", directory.address_lookup, name="address_lookup"),
    path("directory/organisation/", directory.organisation, name="organisation"),
    path("audit/", privacy.audit_log, name="audit_log"),
    path("intake/", intake.consultation_list, name="consultation_list"),
    path("intake/new/", intake.consultation_new, name="consultation_new"),
    path("intake/<int:consultation_id>/", intake.consultation_detail, name="consultation_detail"),
    path("intake/<int:consultation_id>/refer/", intake.consultation_refer, name="consultation_refer"),
    path("intake/<int:consultation_id>/escalate/", intake.consultation_escalate, name="consultation_escalate"),
    path("intake/<int:consultation_id>/handle/", intake.consultation_handle, name="consultation_handle"),
    path("intake/<int:consultation_id>/close/", intake.consultation_close, name="consultation_close"),
    path("referrals/inbox/", intake.referral_box, {"box": "inbox"}, name="referral_inbox"),
    path("referrals/outbox/", intake.referral_box, {"box": "outbox"}, name="referral_outbox"),
    path("referrals/<int:referral_id>/", intake.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/accept/", intake.referral_accept, name="referral_accept"),
    path("referrals/<int:referral_id>/return/", intake.referral_return, name="referral_return"),
    path("referrals/<int:referral_id>/resend/", intake.referral_resend, name="referral_resend"),
    path("people/search/", people.person_search, name="person_search"),
    path("people/<int:person_id>/", people.person_detail, name="person_detail"),
    path("consents/<int:consent_id>/withdraw/", people.consent_withdraw, name="consent_withdraw"),
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
]

handler400 = "tsunagu.core.views.error_400"
handler403 = "tsunagu.core.views.error_403"
handler404 = "tsunagu.core.views.error_404"
handler500 = "tsunagu.core.views.error_500"
