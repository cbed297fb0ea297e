from django.urls import path

from . import views, views_codesign, views_waiting

app_name = "offer"

urlpatterns = [
    path("", views.offer_map, name="map"),
    path("nuova/", views.offer_add, name="offer_add"),
    path("<int:pk>/modifica/", views.offer_edit, name="offer_edit"),
    path("attesa/", views_waiting.waiting_list, name="waiting_list"),
    path("attesa/percorso/<uuid:path_id>/", views_waiting.waiting_add, name="waiting_add"),
    path("attesa/<uuid:pk>/ritira/", views_waiting.waiting_withdraw, name="waiting_withdraw"),
    path("attesa/<uuid:pk>/attiva/", views_waiting.waiting_activate, name="waiting_activate"),
    path("coprogettazione/", views_codesign.codesign_list, name="codesign_list"),
    path("coprogettazione/nuova/", views_codesign.codesign_add, name="codesign_add"),
    path("coprogettazione/<uuid:pk>/", views_codesign.codesign_detail, name="codesign_detail"),
    path("coprogettazione/<uuid:pk>/modifica/", views_codesign.codesign_edit, name="codesign_edit"),
    path("coprogettazione/<uuid:pk>/fase/", views_codesign.codesign_advance, name="codesign_advance"),
    path("coprogettazione/<uuid:pk>/capacita/", views_codesign.codesign_capacity, name="codesign_capacity"),
    path("coprogettazione/<uuid:pk>/documenti/", views_codesign.codesign_document, name="codesign_document"),
    path(
        "coprogettazione/<uuid:pk>/incontri/<int:meeting_pk>/fase/",
        views_codesign.codesign_meeting_phase,
        name="codesign_meeting_phase",
    ),
    path(
        "coprogettazione/<uuid:pk>/documenti/<int:document_pk>/",
        views_codesign.codesign_document_download,
        name="codesign_document_download",
    ),
]
