from django.urls import path

from . import views, views_bodies, views_procedures

app_name = "governance"

urlpatterns = [
    path("", views.pact, name="pact"),
    path("cruscotto/", views.governance_dashboard, name="dashboard"),
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
    path("monitoraggio/<int:period_pk>/report.pdf", views.period_report_pdf, name="period_report_pdf"),
    path("monitoraggio/<int:period_pk>/report.xlsx", views.period_report_xlsx, name="period_report_xlsx"),
    path("patto.pdf", views.pact_pdf, name="pact_pdf"),
    path("procedure/", views_procedures.procedure_list, name="procedures"),
    path("procedure/nuova/", views_procedures.procedure_add, name="procedure_add"),
    path("procedure/<int:procedure_pk>/", views_procedures.procedure, name="procedure"),
    path("organismi/", views_bodies.body_list, name="bodies"),
    path("organismi/nuovo/", views_bodies.body_add, name="body_add"),
    path("organismi/<int:body_pk>/", views_bodies.body_detail, name="body_detail"),
    path("organismi/<int:body_pk>/riunioni/nuova/", views_bodies.body_meeting_add, name="body_meeting_add"),
    path("riunioni/<int:meeting_pk>/", views_bodies.body_meeting, name="body_meeting"),
    path("riunioni/<int:meeting_pk>/approva-verbale/<int:previous_pk>/", views_bodies.minutes_approve,
         name="minutes_approve"),
    path("riunioni/<int:meeting_pk>/calendario.ics", views_bodies.meeting_ics, name="meeting_ics"),
    path("riunioni/<int:meeting_pk>/verbale.pdf", views_bodies.minutes_pdf, name="minutes_pdf"),
    path("azioni/<int:item_pk>/stato/", views_bodies.action_item_status, name="action_item_status"),
]
