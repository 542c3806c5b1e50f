from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("gemeente", views.municipality, name="municipality"),
]
