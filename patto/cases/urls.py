from django.urls import path

from . import views, views_cohorts, views_devices, views_meetings

app_name = "cases"

urlpatterns = [
    path("percorsi/", views.path_list, name="path_list"),
    path("percorsi/nuovo/", views.path_create, name="path_create"),
    path("percorsi/<uuid:pk>/", views.path_detail, name="path_detail"),
    path("percorsi/<uuid:pk>/avanza/", views.path_advance, name="path_advance"),
    path("percorsi/<uuid:pk>/adesione/", views.path_agreement, name="path_agreement"),
    path("percorsi/<uuid:pk>/chiudi/", views.path_close, name="path_close"),
    path("percorsi/<uuid:pk>/riapri/", views.path_reopen, name="path_reopen"),
    path("percorsi/<uuid:pk>/persone/aggiungi/", views.person_add, name="person_add"),
    path("percorsi/<uuid:pk>/equipe/aggiungi/", views.team_add, name="team_add"),
    path("percorsi/<uuid:pk>/equipe/<int:member_pk>/termina/", views.team_end, name="team_end"),
    path("percorsi/<uuid:pk>/note/", views.note_add, name="note_add"),
    path("percorsi/<uuid:pk>/valutazioni/<uuid:child_pk>/<str:time_point>/<str:rater>/", views.assessment_edit,
         name="assessment_edit"),
    path("percorsi/<uuid:pk>/valutazioni/<uuid:child_pk>/confronto/", views.comparison, name="comparison"),
    path("percorsi/<uuid:pk>/pre-post/<str:time_point>/", views.prepost_edit, name="prepost_edit"),
    path("percorsi/<uuid:pk>/progetto/", views.plan, name="plan"),
    path("percorsi/<uuid:pk>/progetto/obiettivi/nuovo/", views.goal_add, name="goal_add"),
    path("percorsi/<uuid:pk>/progetto/obiettivi/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path("percorsi/<uuid:pk>/progetto/obiettivi/<int:goal_pk>/azioni/nuova/", views.action_add, name="action_add"),
    path("percorsi/<uuid:pk>/progetto/azioni/<int:action_pk>/elimina/", views.action_remove, name="action_remove"),
    path("percorsi/<uuid:pk>/progetto/stampa/", views.plan_print, name="plan_print"),
    path("percorsi/<uuid:pk>/progetto/pdf/", views.plan_pdf, name="plan_pdf"),
    path("percorsi/<uuid:pk>/dispositivi/nuovo/", views_devices.device_add, name="device_add"),
    path("percorsi/<uuid:pk>/dispositivi/<int:activation_pk>/", views_devices.device_edit, name="device_edit"),
    path("percorsi/<uuid:pk>/dispositivi/<int:activation_pk>/incontri/", views_devices.session_add,
         name="session_add"),
    path("percorsi/<uuid:pk>/incontri/nuovo/", views_meetings.meeting_add, name="meeting_add"),
    path("percorsi/<uuid:pk>/incontri/<int:meeting_pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("percorsi/<uuid:pk>/compiti/<int:task_pk>/fatto/", views_meetings.task_done, name="task_done"),
    path("coorti/", views_cohorts.cohort_list, name="cohort_list"),
    path("coorti/nuova/", views_cohorts.cohort_add, name="cohort_add"),
    path("coorti/<int:cohort_pk>/", views_cohorts.cohort_edit, name="cohort_edit"),
    path("volontari/", views_devices.volunteer_list, name="volunteer_list"),
    path("volontari/nuovo/", views_devices.volunteer_add, name="volunteer_add"),
    path("volontari/<uuid:volunteer_pk>/", views_devices.volunteer_edit, name="volunteer_edit"),
    path("famiglie/cerca/", views.person_search, name="person_search"),
]
