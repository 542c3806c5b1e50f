from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from cases.account_views import otp_setup, otp_verify
from cases.views import home
from common.api.openapi import OpenApiJsonView

urlpatterns = [
    path("", home, name="home"),
    path("inloggen", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
    path("tweestapsverificatie", otp_verify, name="otp_verify"),
    path("tweestapsverificatie/instellen", otp_setup, name="otp_setup"),
    path("beheer/", admin.site.urls),
    path("casussen/", include("cases.urls")),
    path("zrm/", include("zrm.urls")),
    path("rapportage/", include("reporting.urls")),
    path("api/v1/openapi.json", OpenApiJsonView.as_view(), name="openapi-json"),  # for anyone (NL API Design Rules)
    path("api/v1/openapi.yaml", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path("api/docs", SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[IsAuthenticated]),
         name="api-docs"),
    path("api/v1/", include("config.api_router")),
]
