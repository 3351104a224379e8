from django.contrib.auth import views as auth_views
from django.urls import path

from tsunagu.core import views as core
from tsunagu.directory import views as directory
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
]

handler400 = "tsunagu.core.views.error_400"
handler403 = "tsunagu.core.views.error_403"
handler404 = "tsunagu.core.views.error_404"
handler500 = "tsunagu.core.views.error_500"
