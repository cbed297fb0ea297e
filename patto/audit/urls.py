from django.urls import path

from . import views

app_name = "audit"

FAMILY = {"kind": "family"}
PERSON = {"kind": "person"}
SIGNAL = {"kind": "signal"}  # a child named in a signal, before (or without) a path

urlpatterns = [
    path("", views.trail, name="trail"),
    path("accessi/", views.access_search, name="access_search"),
    path("accessi/famiglia/<uuid:key>/", views.subject_accesses, FAMILY, name="family_accesses"),
    path("accessi/famiglia/<uuid:key>/accessi.xlsx", views.subject_accesses_xlsx, FAMILY, name="family_accesses_xlsx"),
    path("accessi/persona/<uuid:key>/", views.subject_accesses, PERSON, name="person_accesses"),
    path("accessi/persona/<uuid:key>/accessi.xlsx", views.subject_accesses_xlsx, PERSON, name="person_accesses_xlsx"),
    path("accessi/segnalazione/<int:key>/", views.subject_accesses, SIGNAL, name="signal_accesses"),
    path(
        "accessi/segnalazione/<int:key>/accessi.xlsx", views.subject_accesses_xlsx, SIGNAL, name="signal_accesses_xlsx"
    ),
    path("accessi/persona/<uuid:key>/rapporto/", views.subject_report, name="person_report"),
    path("accessi/persona/<uuid:key>/rapporto.pdf", views.subject_report_pdf, name="person_report_pdf"),
]
