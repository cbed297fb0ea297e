from django.urls import path

from . import views, views_exports

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("salute/", views.health, name="health"),
    path("esportazioni/<uuid:pk>/", views_exports.export_status, name="export_status"),
    path("esportazioni/<uuid:pk>/stato/", views_exports.export_fragment, name="export_fragment"),
    path("esportazioni/<uuid:pk>/scarica/", views_exports.export_download, name="export_download"),
]
