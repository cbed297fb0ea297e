from django.urls import path

from . import views

app_name = "audit"

FAMILY = {"kind": "family"}
PERSON = {"kind": "person"}

urlpatterns = [
    path("", views.trail, name="trail"),
    path("accessi/", views.access_search, name="access_search"),
    path("accessi/famiglia/<uuid:key>/", views.subject_accesses, FAMILY, name="family_accesses"),
    path("accessi/famiglia/<uuid:key>/accessi.xlsx", views.subject_accesses_xlsx, FAMILY, name="family_accesses_xlsx"),
    path("accessi/persona/<uuid:key>/", views.subject_accesses, PERSON, name="person_accesses"),
    path("accessi/persona/<uuid:key>/accessi.xlsx", views.subject_accesses_xlsx, PERSON, name="person_accesses_xlsx"),
    path("accessi/persona/<uuid:key>/rapporto/", views.subject_report, name="person_report"),
    path("accessi/persona/<uuid:key>/rapporto.pdf", views.subject_report_pdf, name="person_report_pdf"),
]
