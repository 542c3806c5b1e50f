"""POST /api/v1/imports: bulk import of registrations (cases/api/imports.py)."""
from django.urls import path

from .imports import RegistrationImportView

urlpatterns = [
    path("imports", RegistrationImportView.as_view(), name="registration-import"),
]
