from django.urls import path

from . import views

urlpatterns = [
    path("accounts/2fa/", views.two_factor, name="two_factor"),
    path("accounts/2fa/recovery/", views.recovery_codes, name="recovery_codes"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/me/", views.account, name="account"),
    path("accounts/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("accounts/staff/", views.staff_list, name="staff_list"),
    path("accounts/staff/new/", views.staff_new, name="staff_new"),
    path("accounts/staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("accounts/staff/<int:staff_id>/transfer/", views.staff_transfer, name="staff_transfer"),
    path("accounts/staff/<int:staff_id>/hand-over/", views.staff_hand_over, name="staff_hand_over"),
    path("accounts/staff/<int:staff_id>/<str:action>/", views.staff_action, name="staff_action"),
    path("accounts/api-tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
