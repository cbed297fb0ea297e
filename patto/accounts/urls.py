from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accesso/", views.LoginView.as_view(), name="login"),
    path("uscita/", views.logout, name="logout"),
    path("sessione/rinnova/", views.keep_alive, name="keep_alive"),
    path("password/reimposta/", views.password_reset, name="password_reset"),
    path("password/reimposta/inviata/", views.password_reset_done, name="password_reset_done"),
    path("password/reimposta/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password/reimposta/completata/", views.password_reset_complete, name="password_reset_complete"),
    path("accesso/verifica/", views.mfa_verify, name="mfa_verify"),
    path("profilo/", views.profile, name="profile"),
    path("profilo/conferma-password/", views.confirm_password, name="confirm_password"),
    path("profilo/due-fattori/attiva/", views.mfa_enrol, name="mfa_enrol"),
    path("profilo/due-fattori/codici/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("profilo/due-fattori/disattiva/", views.mfa_disable, name="mfa_disable"),
    path("profilo/ente/", views.switch_membership, name="switch_membership"),
    path("enti/", views.institution_list, name="institution_list"),
    path("enti/nuovo/", views.institution_create, name="institution_create"),
    path("enti/<int:pk>/", views.institution_detail, name="institution_detail"),
    path("enti/<int:pk>/modifica/", views.institution_edit, name="institution_edit"),
    path("enti/<int:pk>/persone/", views.institution_people, name="institution_people"),
    path("enti/<int:pk>/persone/aggiungi/", views.membership_add, name="membership_add"),
    path("incarichi/<int:pk>/modifica/", views.membership_edit, name="membership_edit"),
    path("incarichi/<int:pk>/termina/", views.membership_end, name="membership_end"),
    path("incarichi/<int:pk>/invito/", views.invitation_resend, name="invitation_resend"),
    path("persone/<uuid:pk>/", views.person_detail, name="person_detail"),
]
