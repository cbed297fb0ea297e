from django.urls import path

from . import views, views_needs, views_open, views_programme

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("accessi/", views.grants, name="grants"),
    path("accessi/<uuid:grant_pk>/revoca/", views.grant_revoke, name="grant_revoke"),
    path("programma/", views_programme.programme_page, name="programme"),
    path("territorio/", views_needs.needs_page, name="needs"),
    path("territorio/relazione/", views_needs.report_page, name="needs_report"),
    path("territorio/relazione/pdf/", views_needs.report_pdf, name="needs_report_pdf"),
    path("territorio/relazione/allega/", views_needs.report_attach, name="needs_report_attach"),
    path("dati-aperti/", views_open.open_data, name="open_data"),
    path("dati-aperti/<uuid:dataset_pk>/ritira/", views_open.open_data_withdraw, name="open_data_withdraw"),
]
