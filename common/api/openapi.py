"""The OpenAPI document as the NL API Design Rules want it, whatever each view declares, and where it is published.

`nl_api_design_rules` is drf-spectacular's postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): it
runs for `manage.py spectacular` (the committed config/openapi.yaml) and for every served document alike.
`OpenApiJsonView` publishes the document at /api/v1/openapi.json for anyone, readable from other origins.
tests/test_openapi_adr.py checks the committed document rule by rule against Logius' linter rules.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

VERSION_HEADER = "API-Version"
PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457); bij ongeldige invoer staat elke fout in invalid-params.",
    "properties": {
        "type": {"type": "string", "format": "uri", "description": "Het soort fout (een URI)."},
        "title": {"type": "string", "description": "Korte omschrijving van het soort fout."},
        "status": {"type": "integer", "description": "De HTTP-statuscode."},
        "detail": {"type": "string", "description": "Wat er in dit geval mis is."},
        "instance": {"type": "string", "description": "Het pad van het verzoek."},
        "code": {"type": "string", "description": "Een vaste code voor de fout, voor programma's."},
        "invalid-params": {"type": "array", "items": {"$ref": "#/components/schemas/InvalidParam"},
                           "description": "Elke ongeldige parameter of elk ongeldig veld."},
    },
    "required": ["type", "title", "status", "detail"],
}
INVALID_PARAM_SCHEMA = {
    "type": "object",
    "description": "Een ongeldige parameter of een ongeldig veld.",
    "properties": {
        "name": {"type": "string", "description": "De naam van de parameter of het veld (met punten genest)."},
        "code": {"type": "string", "description": "Een vaste code voor de fout."},
        "reason": {"type": "string", "description": "Waarom de waarde niet goed is."},
    },
    "required": ["name", "code", "reason"],
}
# Every operation can: a middleware refuses personal data in any query string under /api/ with a 400.
INVALID_INPUT = {"description": "Ongeldige invoer: een parameter of de body is niet goed, of de URL bevat "
                                "persoonsgegevens; elke fout staat in invalid-params."}


def _camel_case(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def _camel_case_path_parameters(result: dict) -> None:
    """`{case_id}` -> `{caseId}` (/core/path-segments-kebab-case allows letters and digits in a path variable).
    Only the name in the document changes; the URLs stay the same."""
    paths = {}
    for path, item in result["paths"].items():
        paths[re.sub(r"\{([^}]+)\}", lambda match: "{%s}" % _camel_case(match[1]), path)] = item
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    parameter["name"] = _camel_case(parameter["name"])
    result["paths"] = paths


def _conventional_responses(operation: dict) -> None:
    """Every response declares API-Version; every operation can answer 400; every error is problem details."""
    responses = operation["responses"]
    responses.setdefault("400", dict(INVALID_INPUT))
    for code, response in responses.items():
        response["headers"] = {VERSION_HEADER: {"$ref": f"#/components/headers/{VERSION_HEADER}"},
                               **response.get("headers", {})}
        if str(code)[:1] in "45" and not response.get("content"):
            response["content"] = {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))


def _served_from(request) -> list[dict]:
    """A served document names the address it was fetched from (so the interactive docs call this installation)."""
    base_path = urlsplit(settings.SPECTACULAR_SETTINGS["SERVERS"][0]["url"]).path
    return [{"url": request.build_absolute_uri(base_path)}]


def nl_api_design_rules(result, generator, request, public):
    """drf-spectacular postprocessing hook: the conventions the views share, declared once for all of them."""
    _camel_case_path_parameters(result)
    for item in result["paths"].values():
        for operation in item.values():
            _conventional_responses(operation)
    components = result.setdefault("components", {})
    components["headers"] = {VERSION_HEADER: {
        "description": "De volledige versie van de API (major.minor.patch); elk antwoord onder /api/ heeft hem.",
        "required": True,
        "schema": {"type": "string", "example": settings.SPECTACULAR_SETTINGS["VERSION"]},
    }}
    schemas = {**components.get("schemas", {}), "Problem": PROBLEM_SCHEMA, "InvalidParam": INVALID_PARAM_SCHEMA}
    components["schemas"] = dict(sorted(schemas.items()))
    if request is not None:
        result["servers"] = _served_from(request)
    return result


class OpenApiJsonView(SpectacularJSONAPIView):
    """GET /api/v1/openapi.json (/core/publish-openapi): no login, any origin may read it, nothing else does."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer]  # application/json first
    _published: dict[str, dict] = {}  # address served from -> document

    @extend_schema(
        operation_id="openapi_json",
        tags=["openapi"],
        summary="OpenAPI-document",
        description="Dit document in JSON, zonder inloggen op te halen en vanuit elke origin te lezen "
                    "(Access-Control-Allow-Origin: *), zodat ontwikkelaars en tools het kunnen gebruiken.",
        parameters=[OpenApiParameter(
            "access-control-allow-origin", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200], enum=["*"],
            description="Elke origin mag het document lezen.")],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="Het OpenAPI-document (OpenAPI 3).")},
    )
    def get(self, request, *args, **kwargs):
        # Anyone may ask, so generate once per process and address (the document changes only with a deploy).
        base = request.build_absolute_uri("/")
        document = self._published.get(base)
        if document is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=self.api_version, patterns=self.patterns)
            document = generator.get_schema(request=request, public=self.serve_public)
            if len(self._published) < 16:
                self._published[base] = document
        return Response(document, headers={"Access-Control-Allow-Origin": "*"})
