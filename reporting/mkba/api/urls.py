"""MKBA endpoints under /api/v1 (no trailing slashes)."""
from django.urls import path

from . import views

urlpatterns = [
    path("mkba/berekeningen", views.CalculationView.as_view(), name="mkba-calculation"),
]
