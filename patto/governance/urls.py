from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.pact, name="pact"),
    path("versioni/", views.versions, name="versions"),
    path("versioni/nuova/", views.version_draft, name="version_draft"),
    path("versioni/confronto/", views.version_compare, name="version_compare"),
    path("versioni/<int:number>/", views.version_detail, name="version_detail"),
    path("versioni/<int:number>/sezioni/<slug:key>/", views.section_edit, name="section_edit"),
    path("versioni/<int:number>/impegni/nuovo/", views.commitment_edit, name="commitment_add"),
    path("versioni/<int:number>/impegni/<int:commitment_pk>/", views.commitment_edit, name="commitment_edit"),
    path("versioni/<int:number>/approva/", views.version_approve, name="version_approve"),
    path("firmatari/", views.signatory_list, name="signatories"),
    path("firmatari/nuovo/", views.adhesion_add, name="adhesion_add"),
    path("firmatari/<int:adhesion_pk>/recesso/", views.adhesion_withdraw, name="adhesion_withdraw"),
    path("impegni/", views.commitment_list, name="commitments"),
    path("impegni/<int:commitment_pk>/stato/", views.commitment_status, name="commitment_status"),
    path("monitoraggio/", views.period_list, name="periods"),
    path("monitoraggio/apri/", views.period_open, name="period_open"),
    path("monitoraggio/<int:period_pk>/chiudi/", views.period_close, name="period_close"),
    path("monitoraggio/<int:period_pk>/", views.period_report, name="period_report"),
]
