from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("mijn-caseload", views.my_caseload, name="my_caseload"),
    path("nieuwe-melding", views.new_melding, name="new_melding"),
    path("team", views.team, name="team"),
    path("<int:pk>", views.case_detail, name="case_detail"),
    path("<int:pk>/eerste-contact", views.case_first_contact, name="case_first_contact"),
    path("<int:pk>/regie-overdragen", views.case_transfer, name="case_transfer"),
    path("<int:pk>/afsluiten", views.case_close, name="case_close"),
    path("<int:pk>/heropenen", views.case_reopen, name="case_reopen"),
    path("<int:pk>/gezinslid-toevoegen", views.case_add_member, name="case_add_member"),
]
