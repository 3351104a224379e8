from django.urls import path

from . import views

urlpatterns = [
    path("intake/<int:consultation_id>/attachments/", views.consultation_attach, name="consultation_attach"),
    path("cases/<int:case_id>/attachments/", views.case_attach, name="case_attach"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
]
