from django.urls import include, path

from . import views

app_name = "reporting"

urlpatterns = [
    path("gemeente", views.municipality, name="municipality"),
    path("mkba/", include("reporting.mkba.urls")),
]
