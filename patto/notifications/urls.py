from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/apri/", views.open_notification, name="open"),
    path("lette/", views.read_all, name="read_all"),
    path("preferenze/", views.preferences, name="preferences"),
    path("invii/", views.emails, name="emails"),
    path("invii/<int:pk>/riprova/", views.retry, name="email_retry"),
]
