from django.urls import path

from . import views

app_name = "helpdesk"

urlpatterns = [
    path("", views.questions, name="questions"),
    path("nuova/", views.ask, name="ask"),
    path("<int:pk>/", views.question, name="question"),
    path("<int:pk>/assegna/", views.act, {"action": "assign"}, name="assign"),
    path("<int:pk>/chiedi-chiarimenti/", views.act, {"action": "ask_clarification"}, name="ask_clarification"),
    path("<int:pk>/chiarimenti/", views.act, {"action": "give_clarification"}, name="give_clarification"),
    path("<int:pk>/risposta/", views.act, {"action": "answer"}, name="answer"),
    path("<int:pk>/chiudi/", views.act, {"action": "close"}, name="close"),
    path("<int:pk>/faq/", views.publish, name="publish"),
    path("faq/", views.faqs, name="faqs"),
    path("faq/<int:pk>/", views.faq, name="faq"),
    path("faq/<int:pk>/pubblicazione/", views.faq_publication, name="faq_publication"),
    path("modelli/", views.templates, name="templates"),
    path("modelli/nuovo/", views.template_add, name="template_add"),
    path("modelli/<int:pk>/", views.template, name="template"),
    path("modelli/<int:pk>/file/", views.template_file, name="template_file"),
]
