"""Request-wide rules of the common layer, for web pages and API alike."""
from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from .personal_data import personal_query_keys

PROBLEM_JSON = "application/problem+json"


class NoPersonalDataInUrlMiddleware:
    """Refuse every request whose query string carries personal data (common.personal_data): a Dutch
    400 page on web paths, problem details under /api/. Nothing of the value is echoed.

    Placed high in MIDDLEWARE, before anything that reads, redirects with or logs the query string.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("QUERY_STRING"):
            offending = personal_query_keys(request.GET)
            if offending:
                if request.path.startswith("/api/"):
                    return _problem_response(request, offending)
                return _page_response(offending)
        return self.get_response(request)


def _problem_response(request, keys: list[str]) -> HttpResponse:
    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110#status.400",
        "title": "Ongeldige invoer.",
        "status": 400,
        "detail": "Persoonsgegevens (BSN, namen, geboortedatum, adres) horen niet in een URL; zoek met POST.",
        "instance": request.path,
        "invalid-params": [
            {"name": key, "code": "personal_data_in_url", "reason": "Niet toegestaan in de querystring."}
            for key in keys
        ],
    }
    response = HttpResponse(json.dumps(body), status=400, content_type=PROBLEM_JSON)
    response["API-Version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
    response["Cache-Control"] = "no-store"
    return response


def _page_response(keys: list[str]) -> HttpResponse:
    # Rendered without the request: no user, no session, no queries (the request is refused before them).
    html = render_to_string("400_personal_data.html", {"keys": keys})
    response = HttpResponse(html, status=400, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Frame-Options"] = "DENY"
    return response
