"""ZRM endpoints under /api/v1 (no trailing slashes)."""
from django.urls import path

from . import views
from .imports import RegistrationImportView

urlpatterns = [
    path("casussen/<int:case_id>/zrm-metingen", views.CaseMeasurementsView.as_view(), name="zrm-case-measurements"),
    path("zrm-metingen/<int:pk>", views.MeasurementDetailView.as_view(), name="zrm-measurement-detail"),
    path("zrm-metingen/<int:pk>/vaststellen", views.MeasurementFinaliseView.as_view(),
         name="zrm-measurement-finalise"),
    # The bulk import spans the sheets of cases and zrm, so it lives here (zrm/api/imports.py).
    path("imports", RegistrationImportView.as_view(), name="registration-import"),
]
