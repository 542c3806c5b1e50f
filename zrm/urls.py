from django.urls import path

from . import views

app_name = "zrm"

urlpatterns = [
    path("casussen/<int:case_id>/personen/<int:person_id>/nieuwe-meting", views.measurement_new,
         name="measurement_new"),
    path("casussen/<int:case_id>/personen/<int:person_id>", views.person_history, name="person_history"),
    path("casussen/<int:case_id>/huishouden", views.household_history, name="household_history"),
    path("metingen/<int:pk>", views.measurement_detail, name="measurement_detail"),
    path("metingen/<int:pk>/invullen", views.measurement_edit, name="measurement_edit"),
    path("metingen/<int:pk>/corrigeren", views.measurement_correct, name="measurement_correct"),
    path("metingen/<int:pk>/verwijderen", views.measurement_discard, name="measurement_discard"),
]
