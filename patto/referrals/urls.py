from django.urls import path

from . import views, views_path

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inviate/", views.sent, name="sent"),
    path("consultazione/nuova/", views.consultation_create, name="consultation_create"),
    path("segnalazione/nuova/", views.signal_create, name="signal_create"),
    path("segnalazione/plessi/", views.school_sites, name="school_sites"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/allegati/<uuid:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/assegna/", views.act, {"action": "assign"}, name="assign"),
    path("<int:pk>/messaggio/", views.act, {"action": "message"}, name="message"),
    path("<int:pk>/chiedi-informazioni/", views.act, {"action": "ask_information"}, name="ask_information"),
    path("<int:pk>/informazioni/", views.act, {"action": "provide_information"}, name="provide_information"),
    path("<int:pk>/risposta/", views.act, {"action": "answer"}, name="answer"),
    path("<int:pk>/nessun-intervento/", views.act, {"action": "no_intervention"}, name="no_intervention"),
    path("<int:pk>/inoltro/", views.act, {"action": "forward"}, name="forward"),
    path("<int:pk>/presa-in-carico/", views.act, {"action": "take_in_charge"}, name="take_in_charge"),
    path("<int:pk>/accetta/", views.act, {"action": "accept"}, name="accept"),
    path("<int:pk>/rifiuta/", views.act, {"action": "decline"}, name="decline"),
    path("<int:pk>/ritiro/", views.act, {"action": "withdraw"}, name="withdraw"),
    # From a family's path (views_path): the case manager asks for a professional, or a transfer.
    path("percorso/<uuid:path_id>/professionista/", views_path.path_professional, name="path_professional"),
    path("percorso/<uuid:path_id>/trasferimento/", views_path.path_transfer, name="path_transfer"),
]
