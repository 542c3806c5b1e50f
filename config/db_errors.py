"""When the database goes away mid-request: a clear Dutch 503, never a bare 500.

Pages get templates/503.html; paths under /api/ get RFC 9457 problem details. Both carry
`Retry-After`.

Nothing is half-written: every write is one service call running in one transaction
(cases/services/, zrm/services.py), so a connection lost between its statements rolls the
whole change back on the server. Recovery needs nothing from us: Django marks the connection as
broken, closes it when the request ends (close_old_connections) and opens a fresh one for the
next request, so the app works again as soon as the database is back.

A database error can surface in the view (handled by process_exception) or in a middleware, for
example while loading the session; Django turns the latter into a 500 response inside the chain,
so a got_request_exception receiver marks the request and __call__ swaps that 500 for the 503.
Place this middleware before SessionMiddleware.
"""
from __future__ import annotations

import json
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
PROBLEM_JSON = "application/problem+json"

TITLE = "Wijkregie is tijdelijk niet beschikbaar."
DETAIL = (
    "De database is op dit moment niet bereikbaar. Een wijziging wordt helemaal of helemaal niet "
    "opgeslagen, nooit half; controleer of uw wijziging er staat voordat u haar opnieuw verstuurt. "
    f"Probeer het over {RETRY_AFTER_SECONDS} seconden opnieuw."
)

logger = logging.getLogger("wijkregie.database")
_MARK = "_wijkregie_database_error"


def _mark_database_error(sender, request=None, **kwargs):
    """Django is about to answer an uncaught exception with a 500: remember when it was a database error."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARK, error)


got_request_exception.connect(_mark_database_error, dispatch_uid="wijkregie.database_unavailable")


def database_unavailable_response(request, error: BaseException) -> HttpResponse:
    # The error class only: the message may name hosts and databases, and never belongs on a page.
    logger.warning("Database niet bereikbaar bij %s %s (%s)", request.method, request.path, type(error).__name__)
    if request.path.startswith("/api/"):
        body = {
            "type": "https://www.rfc-editor.org/rfc/rfc9110#status.503",
            "title": TITLE,
            "status": 503,
            "detail": DETAIL,
            "instance": request.path,
            "code": "database_unavailable",
        }
        response = HttpResponse(json.dumps(body), status=503, content_type=PROBLEM_JSON)
        response["API-Version"] = settings.SPECTACULAR_SETTINGS["VERSION"]
    else:
        # Rendered without the request: context processors (user, roles) would query the database.
        html = render_to_string("503.html", {
            "retry_url": request.path if request.method in ("GET", "HEAD") else "/",
            "retry_after": RETRY_AFTER_SECONDS,
        })
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """OperationalError / InterfaceError anywhere below this middleware -> 503 (page or problem details)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code >= 500:
            return database_unavailable_response(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable_response(request, exception)
        return None
