"""Problem details (RFC 9457, application/problem+json) for the whole API, with every invalid parameter
listed under "invalid-params" (name, code, reason), as the NL API Design Rules ask.

problem_details_handler is REST_FRAMEWORK's EXCEPTION_HANDLER: every error a view raises, a service's
ValidationError included, leaves as problem details from here. A view names the service's fields the way
the API does with `service_field_names` and declares which error codes are conflicts (409) with
`service_conflict_codes`, so it needs no try/except around a service call.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"

TITLES = {
    409: "Conflict.",
    400: "Ongeldige invoer.",
    401: "Niet ingelogd.",
    403: "Geen toegang.",
    404: "Niet gevonden.",
    405: "Methode niet toegestaan.",
    406: "Formaat niet beschikbaar.",
    415: "Mediatype niet ondersteund.",
    429: "Te veel verzoeken.",
}


def problem(status_code: int, *, detail: str = "", invalid_params: list[dict] | None = None, instance: str = "",
            code: str = "") -> Response:
    body = {
        "type": f"https://www.rfc-editor.org/rfc/rfc9110#status.{status_code}",
        "title": TITLES.get(status_code, "Fout."),
        "status": status_code,
        "detail": detail or TITLES.get(status_code, ""),
        "instance": instance,
    }
    if code:
        body["code"] = code
    if invalid_params is not None:
        body["invalid-params"] = invalid_params
    return Response(body, status=status_code, content_type=PROBLEM_JSON)


def _flatten(detail, prefix: str = "") -> list[dict]:
    """DRF's error detail (nested dicts/lists of ErrorDetail) -> [{name, code, reason}]."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                out.append({"name": prefix or "nonFieldErrors", "code": getattr(item, "code", "invalid"),
                            "reason": str(item)})
        else:
            for index, item in enumerate(detail):
                if item:
                    out += _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        out.append({"name": prefix or "nonFieldErrors", "code": getattr(detail, "code", "invalid"),
                    "reason": str(detail)})
    return out


FieldNames = Mapping[str, str] | Callable[[str], "str | None"]


def from_service_error(exc: DjangoValidationError, field_names: FieldNames, instance: str) -> Response:
    """A service's ValidationError as a 400 problem, its field keys renamed to the API's names (a mapping, or a
    function answering None for a key it does not rename)."""
    rename = field_names if callable(field_names) else field_names.get
    params = []
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = rename(key)
            if name is None:
                name = "nonFieldErrors" if key == "__all__" else key
            for error in errors:
                params.append({"name": name, "code": error.code or "invalid", "reason": " ".join(error.messages)})
    else:
        for error in exc.error_list:
            params.append({"name": "nonFieldErrors", "code": error.code or "invalid",
                           "reason": " ".join(error.messages)})
    detail = params[0]["reason"] if len(params) == 1 else "De invoer bevat fouten; zie invalid-params."
    return problem(status.HTTP_400_BAD_REQUEST, detail=detail, invalid_params=params, instance=instance)


def problem_details_handler(exc, context):
    """DRF exception handler: every error response is problem details."""
    if isinstance(exc, DjangoValidationError):
        view = context.get("view")
        code = getattr(exc, "code", None)
        if code and code in getattr(view, "service_conflict_codes", ()):
            return problem(status.HTTP_409_CONFLICT, detail=" ".join(exc.messages), instance=context["request"].path,
                           code=code)
        return from_service_error(exc, getattr(view, "service_field_names", {}), context["request"].path)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context["request"]
    if isinstance(exc, exceptions.ValidationError):
        out = problem(400, detail="De invoer bevat fouten; zie invalid-params.", invalid_params=_flatten(exc.detail),
                      instance=request.path)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        out = problem(response.status_code, detail=str(detail) if not isinstance(detail, (dict, list)) else "",
                      instance=request.path, code=getattr(exc, "default_code", ""))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            out[header] = response[header]
    return out
