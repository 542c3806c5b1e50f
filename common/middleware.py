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


class ApiErrorsAsProblemsMiddleware:
    """Under /api/ every error answer is problem details (RFC 9457), also when no DRF view produced it: a path
    the URL resolver does not know (Django's HTML 404 page when DEBUG is off), a plain Django view's 405, a
    CSRF 403, a 500. Such a response is replaced by a problem with the same status; Allow, Retry-After and
    WWW-Authenticate are kept. Placed high in MIDDLEWARE so it sees the answers of the middleware below it.
    """

    KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (request.path.startswith("/api/") and response.status_code >= 400 and not response.streaming
                and not response.get("Content-Type", "").startswith(PROBLEM_JSON)):
            return _as_problem(request, response)
        return response


def _as_problem(request, original: HttpResponse) -> HttpResponse:
    from .api.problems import TITLES

    status = original.status_code
    details = {
        404: "Deze URL bestaat niet in de API.",
        405: f"De methode {request.method} is hier niet toegestaan." if request.method.isalpha() else "",
        500: "Er ging iets mis bij het verwerken van dit verzoek.",
    }
    body = {
        "type": f"https://www.rfc-editor.org/rfc/rfc9110#status.{status}",
        "title": TITLES.get(status, "Fout."),
        "status": status,
        "detail": details.get(status) or TITLES.get(status, "Fout."),
        "instance": request.path,
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_JSON)
    for header in ApiErrorsAsProblemsMiddleware.KEPT_HEADERS:
        if header in original:
            response[header] = original[header]
    response["API-Version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
    return response
