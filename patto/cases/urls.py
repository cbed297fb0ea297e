from django.urls import path

from . import views

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
    path("famiglie/cerca/", views.person_search, name="person_search"),
]
