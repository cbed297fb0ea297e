from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("comuni/", views.comuni, name="comuni"),
    path("comuni/abbina/", views.map_residence, name="map_residence"),
    path("iscritti/", views.enrolment, name="enrolment"),
]
