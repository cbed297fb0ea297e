from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("accessi/", views.grants, name="grants"),
    path("accessi/<uuid:grant_pk>/revoca/", views.grant_revoke, name="grant_revoke"),
]
