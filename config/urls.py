from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cases.views import home

urlpatterns = [
    path("", home, name="home"),
    path("inloggen", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
    path("beheer/", admin.site.urls),
    path("casussen/", include("cases.urls")),
    path("zrm/", include("zrm.urls")),
    path("rapportage/", include("reporting.urls")),
    path("api/v1/", include("config.api_router")),
]
