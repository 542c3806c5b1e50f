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


# Query keys that would put personal data in a URL (logged by proxies, kept in browser history).
PERSONAL_QUERY_KEYS = {
    "bsn", "burgerservicenummer", "naam", "name", "voornaam", "firstname", "achternaam", "lastname",
    "geslachtsnaam", "geboortedatum", "dateofbirth", "birthdate", "adres", "address", "straat", "street",
}


class NoPersonalDataInUrlMiddleware:
    """Refuse API requests that carry a BSN or a name in the query string (searches by BSN are POST).

    A value that is nine digits passing the elfproef counts as a BSN whatever its key.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and request.GET:
            offending = sorted(
                key for key, values in request.GET.lists()
                if key.replace("_", "").replace("-", "").lower() in PERSONAL_QUERY_KEYS
                or any(_looks_like_bsn(value) for value in values)
            )
            if offending:
                return _problem_response(offending)
        return self.get_response(request)


def _looks_like_bsn(value: str) -> bool:
    from common.validators import is_valid_bsn

    return is_valid_bsn(value.strip())


def _problem_response(keys):
    import json

    from django.http import HttpResponse

    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110#status.400",
        "title": "Ongeldige invoer.",
        "status": 400,
        "detail": "Persoonsgegevens (BSN, namen, geboortedatum, adres) horen niet in een URL; zoek met POST.",
        "invalid-params": [
            {"name": key, "code": "personal_data_in_url", "reason": "Niet toegestaan in de querystring."}
            for key in keys
        ],
    }
    response = HttpResponse(json.dumps(body), status=400, content_type="application/problem+json")
    response["API-Version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
    return response
