from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("", views.calls, name="calls"),
    path("bandi/nuovo/", views.call_add, name="call_add"),
    path("bandi/<int:pk>/", views.call, name="call"),
    path("bandi/<int:pk>/proposta/", views.proposal_add, name="proposal_add"),
    path("proposte/<int:pk>/", views.proposal, name="proposal"),
    path("proposte/<int:pk>/partner/", views.partner_add, name="partner_add"),
    path("proposte/<int:pk>/stato/", views.proposal_status, name="proposal_status"),
    path("proposte/<int:pk>/accordo/", views.proposal_agreement, name="proposal_agreement"),
    path("proposte/<int:pk>/progetto/", views.project_add, name="project_add"),
    path("partner/<int:pk>/conferma/", views.partner_confirm, name="partner_confirm"),
    path("partner/<int:pk>/", views.partner_edit, name="partner_edit"),
    path("partner/<int:pk>/rimuovi/", views.partner_remove, name="partner_remove"),
    path("documenti/<uuid:attachment_id>/", views.document, name="document"),
    path("progetti/", views.projects, name="projects"),
    path("progetti/<int:pk>/", views.project, name="project"),
    path("progetti/<int:pk>/voci/", views.budget_line_add, name="budget_line_add"),
    path("progetti/<int:pk>/traguardi/", views.milestone_add, name="milestone_add"),
    path("progetti/<int:pk>/traguardi/<int:milestone_pk>/", views.milestone_reached, name="milestone_reached"),
    path("progetti/<int:pk>/voci/<int:line_pk>/", views.budget_line_edit, name="budget_line_edit"),
    path("progetti/<int:pk>/voci/<int:line_pk>/rimuovi/", views.budget_line_remove, name="budget_line_remove"),
    path("progetti/<int:pk>/traguardi/<int:milestone_pk>/modifica/", views.milestone_edit, name="milestone_edit"),
    path("progetti/<int:pk>/traguardi/<int:milestone_pk>/rimuovi/", views.milestone_remove, name="milestone_remove"),
    path("progetti/<int:pk>/spese/", views.expenditure_add, name="expenditure_add"),
    path("progetti/<int:pk>/spese/<int:expenditure_pk>/", views.expenditure_edit, name="expenditure_edit"),
    path("progetti/<int:pk>/spese/<int:expenditure_pk>/annulla/", views.expenditure_cancel, name="expenditure_cancel"),
    path("progetti/<int:pk>/relazione/", views.report, name="report"),
    path("progetti/<int:pk>/relazione.pdf", views.report_pdf, name="report_pdf"),
    path("progetti/<int:pk>/relazione.xlsx", views.report_xlsx, name="report_xlsx"),
]
