from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from patto.accounts.middleware import mfa_exempt
from patto.governance.views import public_pact
from patto.monitoring.views_open import open_data_csv, open_data_public

urlpatterns = [
    path("", include("patto.core.urls")),
    path("", include("patto.accounts.urls")),
    path("registro-accessi/", include("patto.audit.urls")),
    path("notifiche/", include("patto.notifications.urls")),
    path("", include("patto.cases.urls")),
    path("patto/", include("patto.governance.urls")),
    path("richieste/", include("patto.referrals.urls")),
    path("territorio/", include("patto.territory.urls")),
    path("monitoraggio/", include("patto.monitoring.urls")),
    path("sportello-legale/", include("patto.helpdesk.urls")),
    path("finanziamenti/", include("patto.funding.urls")),
    path("offerta/", include("patto.offer.urls")),
    path("pubblico/patto/<uuid:public_id>/", public_pact, name="public_pact"),
    path("dati-aperti/<int:district_pk>/", open_data_public, name="open_data_public"),
    path("dati-aperti/<int:district_pk>/<uuid:dataset_pk>.csv", open_data_csv, name="open_data_csv"),
    path("lingua/", mfa_exempt(login_not_required(set_language)), name="set_language"),
]

handler400 = "patto.core.views.bad_request"
handler403 = "patto.core.views.permission_denied"
handler404 = "patto.core.views.page_not_found"
handler500 = "patto.core.views.server_error"
