"""Conventions every API response follows (NL API Design Rules)."""
from django.conf import settings


class ApiVersionMiddleware:
    """`API-Version` on every response under /api/ (NL API Design Rules, API-57)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["API-Version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
        return response

