from django.urls import include, path

from . import views

app_name = "reporting"

urlpatterns = [
    path("mkba/", include("reporting.mkba.urls")),
    path("gemeente", views.municipality, name="municipality"),
    path("gemeente/export/<str:fmt>", views.municipality_export, name="municipality_export"),
    path("team", views.team_dashboard, name="team_dashboard"),
    path("team/export/<str:fmt>", views.team_export, name="team_export"),
    path("team/casussen", views.drilldown, name="drilldown"),
    path("mijn-overzicht", views.my_dashboard, name="my_dashboard"),
]
