from django.urls import path

from . import views

urlpatterns = [
    path("ledgers/import/", views.import_home, name="ledger_import"),
    path("ledgers/import/<int:run_id>/", views.run_detail, name="ledger_run"),
    path("ledgers/import/<int:run_id>/start/", views.run_start, name="ledger_run_start"),
    path("ledgers/import/<int:run_id>/execute/", views.run_execute, name="ledger_run_execute"),
    path("ledgers/import/<int:run_id>/progress/", views.run_progress, name="ledger_run_progress"),
    path("ledgers/hsds.zip", views.hsds_export, name="hsds_export"),
]
