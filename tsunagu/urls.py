from django.contrib.auth import views as auth_views
from django.urls import path

from tsunagu.core import views as core
from tsunagu.directory import views as directory
from tsunagu.intake import views as intake
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
]

handler400 = "tsunagu.core.views.error_400"
handler403 = "tsunagu.core.views.error_403"
handler404 = "tsunagu.core.views.error_404"
handler500 = "tsunagu.core.views.error_500"
