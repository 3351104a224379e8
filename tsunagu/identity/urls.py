from django.urls import path

from . import views

urlpatterns = [
    path("identity/review/", views.review_queue, name="identity_review"),
    path("identity/review/<int:candidate_id>/", views.candidate_detail, name="identity_candidate"),
    path("identity/review/<int:candidate_id>/decide/", views.candidate_decide, name="identity_candidate_decide"),
    path("identity/links/<int:link_id>/unmerge/", views.link_unmerge, name="identity_link_unmerge"),
    path("identity/runs/", views.batch_start, name="identity_batch_start"),
    path("identity/runs/<int:job_id>/", views.batch_status, name="identity_batch_status"),
    path("identity/candidates/", views.intake_candidates, name="identity_intake_candidates"),
]
