"""MKBA pages under /rapportage/mkba/ (included by reporting/urls.py)."""
from django.urls import path

from . import views

app_name = "mkba"

urlpatterns = [
    path("", views.index, name="index"),
    path("berekenen", views.compute, name="compute"),
    path("scenario", views.switch, name="switch"),
    path("scenario/<int:pk>", views.scenario_detail, name="scenario"),
    path("scenario/<int:pk>/invoer", views.overrides, name="overrides"),
    path("scenario/<int:pk>/nieuw", views.scenario_create, name="scenario_create"),
    path("scenario/<int:pk>/naam", views.scenario_rename, name="scenario_rename"),
    path("scenario/<int:pk>/verwijderen", views.scenario_delete, name="scenario_delete"),
    path("scenario/<int:pk>/baten", views.benefit_add, name="benefit_add"),
    path("scenario/<int:pk>/baten/<slug:key>/verwijderen", views.benefit_remove, name="benefit_remove"),
    path("scenario/<int:pk>/vergelijken", views.compare, name="compare"),
    path("scenario/<int:pk>/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("scenario/<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
]
