"""Problem details (RFC 9457, application/problem+json) for the whole API, with every invalid parameter
listed under "invalid-params" (name, code, reason), as the NL API Design Rules ask.

problem_details_handler is REST_FRAMEWORK's EXCEPTION_HANDLER: every error a view raises leaves as problem
details from here, so no view catches a service's error itself. A service's ValidationError reads by what the
view declares (each optional):

- `service_field_names`: the service's error keys as the API names them (a mapping, or a function answering
  None for a key it keeps); without it, the `source`s of the input serializer the view used (`get_input`);
- `service_conflict_codes`: error codes that are conflicts (409);
- `service_state_conflict`: an error naming no field is a conflict with the object's state (409), with the
  error's own code or this one;
- `service_non_field_name`, `service_error_code`, `service_error_detail`: the name of an error naming no field
  (default nonFieldErrors), the code of the problem and of each parameter without one, and the detail.

An id or code the view could not resolve (a deferred lookup, common/api/fields.py) is reported first, in place
of the service's complaint about the missing object. An app's own exception becomes problem details through a
function it registers with `problem_for` (common knows no app).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"
INVALID = "De invoer bevat fouten; zie invalid-params."

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


class InvalidQuery(exceptions.ValidationError):
    """Query parameters that a query serializer refused (common.api.views.parse_query): 400, each one named."""

    problem_detail = "De parameters bevatten fouten; zie invalid-params."


# An app's exception type -> function(exc, request) -> Response.
_CONVERTERS: dict[type[BaseException], Callable] = {}


def problem_for(exc_type: type[BaseException]):
    """Register how an app's own exception reads as problem details (decorates function(exc, request))."""
    def register(convert: Callable) -> Callable:
        _CONVERTERS[exc_type] = convert
        return convert
    return register


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


def serializer_field_names(serializer) -> dict[str, str]:
    """Service/model field name -> API field name, from an input serializer's `source`s (`person_id` and
    `replaces_type_code` sources answer for the service's `person` and `replaces_type`)."""
    names = {}
    for name, field in serializer.fields.items():
        if field.source and field.source != "*":
            names[field.source] = name
            names[field.source.removesuffix("_id").removesuffix("_code")] = name
    return names


def service_error_params(exc: DjangoValidationError, field_names: FieldNames, *,
                         non_field_name: str = "nonFieldErrors", code: str = "") -> list[dict]:
    """A service's ValidationError as invalid-params, its field keys renamed to the API's names (a mapping, or a
    function answering None for a key it does not rename)."""
    rename = field_names if callable(field_names) else field_names.get
    params = []
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = rename(key)
            if name is None:
                name = non_field_name if key == "__all__" else key
            for error in errors:
                params.append({"name": name, "code": error.code or code or "invalid",
                               "reason": " ".join(error.messages)})
    else:
        for error in exc.error_list:
            params.append({"name": non_field_name, "code": error.code or code or "invalid",
                           "reason": " ".join(error.messages)})
    return params


def _field_names(view) -> FieldNames:
    names = getattr(view, "service_field_names", None)
    if names is not None:
        return names
    serializer = getattr(view, "input_serializer", None)
    return serializer_field_names(serializer) if serializer is not None else {}


def _with_unresolved(view, params: list[dict], *, first: bool) -> list[dict]:
    """The view's unresolved lookups with the other invalid params: in place of what the service said about those
    fields (first), or after the input serializer's own refusals."""
    unresolved = list(getattr(view, "unresolved", ()))
    taken = {item["name"] for item in unresolved}
    params = [item for item in params if item["name"] not in taken]
    return unresolved + params if first else params + unresolved


def _service_problem(exc: DjangoValidationError, view, instance: str) -> Response:
    code = getattr(exc, "code", None)
    if not getattr(view, "unresolved", ()):
        if code and code in getattr(view, "service_conflict_codes", ()):
            return problem(status.HTTP_409_CONFLICT, detail=" ".join(exc.messages), instance=instance, code=code)
        state_conflict = getattr(view, "service_state_conflict", None)
        if state_conflict and not hasattr(exc, "error_dict"):
            return problem(status.HTTP_409_CONFLICT, detail=" ".join(exc.messages), instance=instance,
                           code=code or state_conflict)
    error_code = getattr(view, "service_error_code", "")
    params = _with_unresolved(view, service_error_params(
        exc, _field_names(view), non_field_name=getattr(view, "service_non_field_name", "nonFieldErrors"),
        code=error_code), first=True)
    detail = getattr(view, "service_error_detail", "") or (params[0]["reason"] if len(params) == 1 else INVALID)
    return problem(status.HTTP_400_BAD_REQUEST, detail=detail, invalid_params=params, instance=instance,
                   code=error_code)


def problem_details_handler(exc, context):
    """DRF exception handler: every error response is problem details."""
    request, view = context["request"], context.get("view")
    for exc_type in type(exc).__mro__:
        if exc_type in _CONVERTERS:
            return _CONVERTERS[exc_type](exc, request)
    if isinstance(exc, DjangoValidationError):
        return _service_problem(exc, view, request.path)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        out = problem(400, detail=getattr(exc, "problem_detail", INVALID),
                      invalid_params=_with_unresolved(view, _flatten(exc.detail), first=False), instance=request.path)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        out = problem(response.status_code, detail=str(detail) if not isinstance(detail, (dict, list)) else "",
                      instance=request.path, code=getattr(exc, "default_code", ""))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            out[header] = response[header]
    return out
