from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:notice_id>/", views.notice_open, name="notice_open"),
    path("notices/read/", views.notice_read_all, name="notice_read_all"),
]
