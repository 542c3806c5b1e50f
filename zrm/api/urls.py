"""ZRM endpoints under /api/v1 (no trailing slashes)."""
from django.urls import path

from . import views

urlpatterns = [
    path("casussen/<int:case_id>/zrm-metingen", views.CaseMeasurementsView.as_view(), name="zrm-case-measurements"),
    path("zrm-metingen/<int:pk>", views.MeasurementDetailView.as_view(), name="zrm-measurement-detail"),
    path("zrm-metingen/<int:pk>/vaststellen", views.MeasurementFinaliseView.as_view(),
         name="zrm-measurement-finalise"),
]
