"""Every REST endpoint under /api/v1. Each app contributes its own url patterns."""
from django.urls import include, path

urlpatterns = [
    path("", include("cases.api.urls")),
    path("", include("zrm.api.urls")),
    path("", include("reporting.mkba.api.urls")),
    path("", include("reporting.api.urls")),
]
