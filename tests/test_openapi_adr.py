"""The committed OpenAPI document (config/openapi.yaml) against the NL API Design Rules, rule by rule as Logius'
linter checks them, with zero violations; and the document published at /api/v1/openapi.json.

The rules are those of Logius' Spectral ruleset for the API Design Rules (github.com/Logius-standaarden/
API-Design-Rules): `media/linter.yaml` of May 2026 (rule names `nlgov:...`, and the `spectral:oas` rules it turns
on as errors), plus what its 2025 version (`linter/spectral.yml`) checked and the 2026 one dropped or relaxed: the
/core/publish-openapi rules (`paths-open-api-json-*`), the stricter `paths-kebab-case` regex for path parameters
and `servers-use-https` as `^https://`. The `spectral:oas` rules that ruleset reported as warnings
(`operation-description`, `operation-tag-defined`, `openapi-tags`, ...) are errors here. Each test is one rule,
named as the ruleset names it, and fails with every violation it finds.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from drf_spectacular.validation import validate_schema

COMMITTED = Path(__file__).resolve().parents[1] / "config" / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
VERSION_HEADERS = ("API-Version", "Api-Version", "Api-version", "api-version", "API-version")
SUCCESS = re.compile(r"(2|3)\d\d")  # the ruleset's filter for 2xx/3xx response keys
ERROR = re.compile(r"(4|5)\d\d")
# nlgov:paths-kebab-case, 2026 (variables free-form) and 2025 (variables letters and digits only: no `{case_id}`).
KEBAB_2026 = re.compile(
    r"^(\/|(\/_[a-z0-9]+|\/(([a-z0-9\-]+|\{[^}]+\})(\/([a-z0-9\-\.]+|\{[^}]+\}))*)(\/_[a-z]+)?)\/?)$")
KEBAB_2025 = re.compile(r"^(\/|[a-z0-9\-\.]+|\{[a-zA-Z0-9]+\})+$")
QUERY_KEY = re.compile(r"^\$?[a-z][a-z\d]*([A-Z][a-z\d]*)*$")
PASCAL = re.compile(r"^[A-Z][a-z0-9]*(?:[A-Z0-9](?:[a-z0-9]+|$))*$")  # Spectral's casing function, type pascal
CAMEL = re.compile(r"^[a-z][a-z0-9]*(?:[A-Z0-9](?:[a-z0-9]+|$))*$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
DATE_PROPERTY = re.compile(r"((\w+D)|(_[dD]))((ate)|(atum))")
OPERATION_ID = re.compile(r"^[A-Za-z0-9-._~:/?#\[\]@!\$&'()*+,;=]*$")

Rule = Callable[[dict], Iterator[str]]
RULES: dict[str, Rule] = {}


def rule(*names: str):
    """Register a check under the ruleset's rule name(s); it yields one message per violation."""
    def register(check: Rule) -> Rule:
        RULES[" / ".join(names)] = check
        return check
    return register


# --- Walking the document ---------------------------------------------------------------------------------

def resolve(doc: dict, node):
    """Follow local $refs (Spectral lints the resolved document)."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node, seen = target, seen + 1
    return node


def operations(doc: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in (doc.get("paths") or {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def responses(doc: dict, pattern: re.Pattern | None = None) -> Iterator[tuple[str, dict]]:
    for path, method, operation in operations(doc):
        for code, response in (operation.get("responses") or {}).items():
            if pattern is None or pattern.search(str(code)):
                yield f"{method.upper()} {path} {code}", resolve(doc, response)


def walk(node, path: str = "$", parent_key: str = "") -> Iterator[tuple[str, str, dict]]:
    """Every object in the document: (its JSON path, the key it sits under, the object)."""
    if isinstance(node, dict):
        yield path, parent_key, node
        for key, value in node.items():
            yield from walk(value, f"{path}.{key}", key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]", parent_key)


def named_properties(doc: dict) -> Iterator[tuple[str, str, dict]]:
    """Every property of every schema: (where, its name, its resolved schema)."""
    for where, key, node in walk(doc):
        if key == "properties" and isinstance(node, dict) and not where.endswith(".properties.properties"):
            for name, schema in node.items():
                if isinstance(schema, dict):
                    yield f"{where}.{name}", name, resolve(doc, schema)


def json_schema(doc: dict, schema, depth: int = 0):
    """An OpenAPI 3.0 schema object as JSON Schema (nullable, $refs inlined) to validate examples with."""
    schema = resolve(doc, schema)
    if not isinstance(schema, dict) or depth > 8:
        return schema if isinstance(schema, dict) else {}
    out = {}
    for key, value in schema.items():
        if key in ("example", "examples", "discriminator", "xml", "externalDocs", "deprecated", "nullable"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {name: json_schema(doc, sub, depth + 1) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = json_schema(doc, value, depth + 1)
        elif key in ("allOf", "oneOf", "anyOf"):
            out[key] = [json_schema(doc, sub, depth + 1) for sub in value]
        else:
            out[key] = value
    if schema.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def example_errors(doc: dict, schema: dict, value, where: str) -> Iterator[str]:
    validator = jsonschema.Draft7Validator(json_schema(doc, schema))
    for error in validator.iter_errors(value):
        yield f"{where}: {error.message}"


# --- /core/doc-openapi, /core/publish-openapi ----------------------------------------------------------------

@rule("nlgov:openapi-root-exists", "nlgov:openapi3")
def _openapi3(doc):
    if not doc.get("openapi"):
        yield "the root has no `openapi` property"
    elif not re.match(r"^3(.\d+){1,2}$", str(doc["openapi"])):
        yield f"openapi {doc['openapi']!r} is not a version 3 OpenAPI Specification (major.minor.patch)"


@rule("oas3-schema")
def _oas3_schema(doc):
    try:
        validate_schema(copy.deepcopy(doc))
    except Exception as exc:  # jsonschema's ValidationError, with the failing part of the document
        yield str(exc).splitlines()[0]


@rule("paths-open-api-json-resource-exists")
def _openapi_json_exists(doc):
    if not (doc.get("paths") or {}).get("/openapi.json"):
        yield "there is no resource `/openapi.json` that returns the OpenAPI document"


@rule("paths-open-api-json-resource-has-get")
def _openapi_json_get(doc):
    for key in (doc.get("paths") or {}).get("/openapi.json") or {}:
        if not re.search("get", key):
            yield f"/openapi.json has `{key}`: only GET"


@rule("paths-open-api-json-specify-cors-header")
def _openapi_json_cors(doc):
    get = ((doc.get("paths") or {}).get("/openapi.json") or {}).get("get") or {}
    for code, response in (get.get("responses") or {}).items():
        if SUCCESS.search(str(code)) and not (resolve(doc, response).get("headers") or {}).get(
                "access-control-allow-origin"):
            yield f"GET /openapi.json {code} does not declare `access-control-allow-origin`"


# --- /core/version-header, /core/uri-version, servers ----------------------------------------------------------

@rule("nlgov:missing-header")
def _missing_header(doc):
    for where, response in responses(doc, SUCCESS):
        if not response.get("headers"):
            yield f"{where}: no headers (API-Version)"


@rule("nlgov:missing-version-header")
def _missing_version_header(doc):
    for where, response in responses(doc, SUCCESS):
        headers = response.get("headers")
        if headers and not any(headers.get(name) for name in VERSION_HEADERS):
            yield f"{where}: no API-Version header"


@rule("wijkregie:version-header-on-every-response")
def _version_header_everywhere(doc):
    # The middleware (common/api/conventions.py) sends it on errors too, so the document says so.
    for where, response in responses(doc):
        if not any((response.get("headers") or {}).get(name) for name in VERSION_HEADERS):
            yield f"{where}: no API-Version header"


@rule("oas3-api-servers")
def _servers(doc):
    servers = doc.get("servers")
    if not isinstance(servers, list) or not servers:
        yield "no `servers`"
        return
    for index, server in enumerate(servers):
        if not isinstance(server, dict) or not server.get("url"):
            yield f"servers[{index}] has no url"


@rule("nlgov:include-major-version-in-uri")
def _major_version(doc):
    for server in doc.get("servers") or []:
        if not re.search(r"\/v[\d+]", str(server.get("url", ""))):
            yield f"server {server.get('url')!r} does not include the major version (/v1)"


@rule("nlgov:servers-use-https")
def _https(doc):
    servers = list(doc.get("servers") or [])
    for _, _, operation in operations(doc):
        servers += operation.get("servers") or []
    for server in servers:
        if not str(server.get("url", "")).startswith("https://"):
            yield f"server {server.get('url')!r} is not https"


@rule("oas3-server-variables")
def _server_variables(doc):
    for server in doc.get("servers") or []:
        used = set(re.findall(r"\{([^}]+)\}", server.get("url", "")))
        declared = server.get("variables") or {}
        for name in used - set(declared):
            yield f"server {server['url']!r}: variable {name} is not declared"
        for name in set(declared) - used:
            yield f"server {server['url']!r}: variable {name} is not used"
        for name, variable in declared.items():
            if "default" not in variable:
                yield f"server variable {name} has no default"
            elif variable.get("enum") and variable["default"] not in variable["enum"]:
                yield f"server variable {name}: default is not in its enum"


# --- /core/doc-openapi-contact, info --------------------------------------------------------------------------

@rule("info-contact")
def _contact(doc):
    if not (doc.get("info") or {}).get("contact"):
        yield "info has no contact"


@rule("nlgov:info-contact-fields-exist")
def _contact_fields(doc):
    contact = (doc.get("info") or {}).get("contact")
    if contact is not None:
        for field in ("email", "name", "url"):
            if field not in contact:
                yield f"info.contact has no {field}"


@rule("info-description")
def _info_description(doc):
    if not (doc.get("info") or {}).get("description"):
        yield "info has no description"


@rule("nlgov:semver")
def _semver(doc):
    version = str((doc.get("info") or {}).get("version", ""))
    if not SEMVER.match(version):
        yield f"version {version!r} is not in semver format"


# --- Paths, methods, parameters -------------------------------------------------------------------------------

@rule("path-keys-no-trailing-slash", "nlgov:paths-no-trailing-slash")
def _trailing_slash(doc):
    for path in doc.get("paths") or {}:
        if path != "/" and path.endswith("/"):
            yield f"{path} ends with a slash"


@rule("nlgov:paths-kebab-case")
def _kebab(doc):
    for path in doc.get("paths") or {}:
        if re.search(r"/openapi\.(json|yaml)$", path):
            continue
        if not KEBAB_2026.match(path) or not KEBAB_2025.match(path):
            yield f"{path} is not kebab-case (path parameters: letters and digits, e.g. {{caseId}})"


@rule("nlgov:http-methods")
def _http_methods(doc):
    # The standard methods of /core/http-methods: POST, GET, PUT, PATCH and DELETE.
    allowed = {"get", "post", "put", "patch", "delete", "parameters", "summary", "description", "servers"}
    for path, item in (doc.get("paths") or {}).items():
        for key in item:
            if key not in allowed:
                yield f"{path}: `{key}` is not a standard HTTP method"


@rule("nlgov:query-keys-camel-case")
def _query_keys(doc):
    for path, method, operation in operations(doc):
        for parameter in operation.get("parameters") or []:
            parameter = resolve(doc, parameter)
            if parameter.get("in") == "query" and not QUERY_KEY.match(parameter.get("name", "")):
                yield f"{method.upper()} {path}: query parameter {parameter.get('name')!r} is not lower camelCase"
    for name, scheme in ((doc.get("components") or {}).get("securitySchemes") or {}).items():
        if scheme.get("in") == "query" and not QUERY_KEY.match(scheme.get("name", "")):
            yield f"security scheme {name}: {scheme.get('name')!r} is not lower camelCase"


@rule("path-params", "operation-parameters")
def _path_params(doc):
    normalised: dict[str, str] = {}
    for path, item in (doc.get("paths") or {}).items():
        shape = re.sub(r"\{[^}]+\}", "{}", path)
        if shape in normalised:
            yield f"{path} and {normalised[shape]} are equivalent paths"
        normalised[shape] = path
        in_path = re.findall(r"\{([^}]+)\}", path)
        shared = [resolve(doc, p) for p in item.get("parameters") or []]
        for method in METHODS:
            if method not in item:
                continue
            own = [resolve(doc, p) for p in item[method].get("parameters") or []]
            keys = [(p.get("name"), p.get("in")) for p in own]
            for duplicate in {key for key in keys if keys.count(key) > 1}:
                yield f"{method.upper()} {path}: parameter {duplicate} is declared twice"
            declared = {p.get("name"): p for p in shared + own if p.get("in") == "path"}
            for name in in_path:
                if name not in declared:
                    yield f"{method.upper()} {path}: path parameter {name} is not declared"
                elif declared[name].get("required") is not True:
                    yield f"{method.upper()} {path}: path parameter {name} is not required"
            for name in set(declared) - set(in_path):
                yield f"{method.upper()} {path}: path parameter {name} is not in the path"


# --- Operations, tags -------------------------------------------------------------------------------------------

@rule("operation-operationId", "operation-operationId-unique", "operation-operationId-valid-in-url")
def _operation_ids(doc):
    seen: dict[str, str] = {}
    for path, method, operation in operations(doc):
        where = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if not operation_id:
            yield f"{where} has no operationId"
            continue
        if operation_id in seen:
            yield f"{where}: operationId {operation_id} is also used by {seen[operation_id]}"
        if not OPERATION_ID.match(operation_id):
            yield f"{where}: operationId {operation_id!r} has characters not valid in a URL"
        seen[operation_id] = where


@rule("operation-description")
def _operation_description(doc):
    for path, method, operation in operations(doc):
        if not str(operation.get("description") or "").strip():
            yield f"{method.upper()} {path} has no description"


@rule("operation-success-response")
def _success_response(doc):
    for path, method, operation in operations(doc):
        if not any(re.match(r"^[23](\d\d|XX)$", str(code)) for code in operation.get("responses") or {}):
            yield f"{method.upper()} {path} has no 2xx or 3xx response"


@rule("openapi-tags", "openapi-tags-uniqueness", "tag-description")
def _tags(doc):
    tags = doc.get("tags")
    if not isinstance(tags, list) or not tags:
        yield "the document has no global `tags`"
        return
    names = [tag.get("name") for tag in tags]
    for name in {name for name in names if names.count(name) > 1}:
        yield f"tag {name} is declared twice"
    for tag in tags:
        if not str(tag.get("description") or "").strip():
            yield f"tag {tag.get('name')} has no description"


@rule("operation-tags", "operation-tag-defined")
def _operation_tags(doc):
    defined = {tag.get("name") for tag in doc.get("tags") or []}
    for path, method, operation in operations(doc):
        if not operation.get("tags"):
            yield f"{method.upper()} {path} has no tags"
        for tag in operation.get("tags") or []:
            if tag not in defined:
                yield f"{method.upper()} {path}: tag {tag} is not defined in the global tags"


@rule("oas3-operation-security-defined")
def _security_defined(doc):
    schemes = set(((doc.get("components") or {}).get("securitySchemes") or {}))
    requirements = list(doc.get("security") or [])
    for _, _, operation in operations(doc):
        requirements += operation.get("security") or []
    for requirement in requirements:
        for name in requirement:
            if name not in schemes:
                yield f"security scheme {name} is not defined"


# --- /core/error-handling -------------------------------------------------------------------------------------

@rule("nlgov:use-problem-schema")
def _problem_media_type(doc):
    for where, response in responses(doc, ERROR):
        content = response.get("content")
        if content is not None and not ({"application/problem+json", "application/problem+xml"} & set(content)):
            yield f"{where}: {', '.join(content)} is not application/problem+json"


@rule("nlgov:problem-schema-members")
def _problem_members(doc):
    for where, response in responses(doc, ERROR):
        for media, body in (response.get("content") or {}).items():
            if media not in ("application/problem+json", "application/problem+xml"):
                continue
            schema = resolve(doc, body.get("schema") or {})
            members = schema.get("properties")
            if members is not None and not {"status", "title", "detail"} <= set(members):
                yield f"{where}: the problem schema lacks {sorted({'status', 'title', 'detail'} - set(members))}"


@rule("nlgov:problem-invalid-input")
def _invalid_input(doc):
    for path, method, operation in operations(doc):
        needs_400 = method in ("put", "post", "patch") or (
            method in ("get", "delete") and operation.get("parameters"))
        if needs_400 and "400" not in {str(code) for code in operation.get("responses") or {}}:
            yield f"{method.upper()} {path} cannot return 400 (invalid input)"


# --- Schemas, properties, dates ---------------------------------------------------------------------------------

@rule("nlgov:schema-camel-case")
def _schema_names(doc):
    for name in (doc.get("components") or {}).get("schemas") or {}:
        if not PASCAL.match(name):
            yield f"schema name {name} is not UpperCamelCase"


@rule("nlgov:property-casing")
def _links_casing(doc):
    for name in ((doc.get("components") or {}).get("schemas") or {}):
        for key in (doc["components"]["schemas"][name].get("properties") or {}):
            if re.search("_links", key, re.IGNORECASE) and not CAMEL.match(key):
                yield f"{name}.{key} is not lowerCamelCase"


@rule("nlgov:date-time-ensure-timezone", "nlgov:time-without-timezone")
def _time_zones(doc):
    for where, _, schema in named_properties(doc):
        if schema.get("format") == "date-time-local":
            yield f"{where}: date-time-local has no time zone; use date-time"
        if schema.get("format") == "time":
            yield f"{where}: use time-local for a time without a time zone"


@rule("nlgov:specify-format-for-date-and-time", "nlgov:use-date-instead-of-datetime")
def _dates(doc):
    for where, name, schema in named_properties(doc):
        if name not in ("date", "datum") and not DATE_PROPERTY.search(name):
            continue
        parts = [resolve(doc, part) for part in schema.get("allOf") or []]
        if "format" not in schema and not (parts and all("format" in part for part in parts)):
            yield f"{where}: a date field without a format (date)"
        formats = [schema.get("format")] + [part.get("format") for part in parts]
        if "date-time" in formats:
            yield f"{where}: a date field with format date-time; use date"


@rule("oas3-valid-schema-example", "oas3-valid-media-example")
def _examples(doc):
    for where, key, node in walk(doc):
        if key == "properties" or where.startswith("$.components.securitySchemes"):
            continue
        if isinstance(node.get("schema"), dict) and ("example" in node or "examples" in node):
            if "example" in node:
                yield from example_errors(doc, node["schema"], node["example"], f"{where}.example")
            for name, example in (node.get("examples") or {}).items():
                example = resolve(doc, example)
                if "value" in example:
                    yield from example_errors(doc, node["schema"], example["value"], f"{where}.examples.{name}")
        elif any(k in node for k in ("type", "$ref", "allOf", "oneOf", "anyOf", "enum")):
            for field in ("example", "default"):
                if field in node and not (field == "default" and node.get("nullable") and node[field] is None):
                    yield from example_errors(doc, node, node[field], f"{where}.{field}")


@rule("duplicated-entry-in-enum")
def _enum_duplicates(doc):
    for where, _, node in walk(doc):
        enum = node.get("enum")
        if isinstance(enum, list):
            seen = [json.dumps(value, sort_keys=True) for value in enum]
            if len(seen) != len(set(seen)):
                yield f"{where}: duplicate enum values"


@rule("oas3-unused-component")
def _unused_components(doc):
    references = {node["$ref"] for _, _, node in walk(doc) if isinstance(node.get("$ref"), str)}
    for kind in ("schemas", "responses", "parameters", "examples", "requestBodies", "headers"):
        for name in ((doc.get("components") or {}).get(kind) or {}):
            if f"#/components/{kind}/{name}" not in references:
                yield f"components.{kind}.{name} is not used"


# --- The tests --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def document() -> dict:
    return yaml.safe_load(COMMITTED.read_text())


@pytest.mark.parametrize("name", list(RULES))
def test_the_committed_document_follows_the_api_design_rules(document, name):
    violations = list(RULES[name](document))
    assert not violations, f"{name}: {len(violations)} violation(s)\n" + "\n".join(violations)


def _first(doc, method="post"):
    return next(operation for _, m, operation in operations(doc) if m == method)


def _add_path(path, **extra):
    def mutate(doc):
        doc["paths"][path] = {"get": {**copy.deepcopy(_first(doc, "get")), "operationId": "x_added", **extra}}
    return mutate


# Each rule finds what it is about in a copy of the document with one thing broken (the checks are not vacuous).
BROKEN = {
    "nlgov:missing-header": lambda doc: _first(doc)["responses"][
        next(c for c in _first(doc)["responses"] if SUCCESS.search(c))].pop("headers"),
    "nlgov:missing-version-header": lambda doc: _first(doc)["responses"][
        next(c for c in _first(doc)["responses"] if SUCCESS.search(c))].update(headers={"X-Other": {}}),
    "paths-open-api-json-resource-exists": lambda doc: doc["paths"].pop("/openapi.json"),
    "paths-open-api-json-resource-has-get": lambda doc: doc["paths"]["/openapi.json"].update(post={}),
    "paths-open-api-json-specify-cors-header": lambda doc: doc["paths"]["/openapi.json"]["get"]["responses"]["200"][
        "headers"].pop("access-control-allow-origin"),
    "oas3-api-servers": lambda doc: doc.pop("servers"),
    "nlgov:include-major-version-in-uri": lambda doc: doc["servers"][0].update(url="https://{host}/api"),
    "nlgov:servers-use-https": lambda doc: doc["servers"][0].update(url="http://{host}/api/v1"),
    "info-contact": lambda doc: doc["info"].pop("contact"),
    "nlgov:info-contact-fields-exist": lambda doc: doc["info"]["contact"].pop("email"),
    "nlgov:paths-kebab-case": _add_path("/casussen/{case_id}/notities"),
    "path-keys-no-trailing-slash / nlgov:paths-no-trailing-slash": _add_path("/notities/"),
    "nlgov:query-keys-camel-case": _add_path("/notities", parameters=[
        {"name": "scope_key", "in": "query", "schema": {"type": "string"}}]),
    "operation-description": lambda doc: _first(doc).pop("description"),
    "operation-tags / operation-tag-defined": lambda doc: _first(doc).update(tags=["onbekend"]),
    "openapi-tags / openapi-tags-uniqueness / tag-description": lambda doc: doc["tags"][0].pop("description"),
    "nlgov:problem-invalid-input": lambda doc: _first(doc)["responses"].pop("400"),
    "nlgov:use-problem-schema": lambda doc: _first(doc)["responses"].update(
        {"418": {"description": "x", "content": {"application/json": {"schema": {"type": "object"}}}}}),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_rule_finds_its_violation(document, name):
    broken = copy.deepcopy(document)
    BROKEN[name](broken)
    assert list(RULES[name](broken)), f"{name} did not notice the broken document"


# --- The published document ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_document_is_published_at_openapi_json_for_anyone(client, document):
    response = client.get("/api/v1/openapi.json")  # no login, no token: clients and tools read it freely
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["API-Version"] == settings.SPECTACULAR_SETTINGS["VERSION"]
    assert response["Content-Type"].startswith("application/json")
    published = json.loads(response.content)
    # The same generator: equal to the committed document but for the address it was fetched from.
    assert published["servers"] == [{"url": "http://testserver/api/v1"}]
    assert {**published, "servers": None} == {**document, "servers": None}


@pytest.mark.django_db
def test_only_the_openapi_document_is_readable_from_other_origins(client, social_worker):
    client.force_login(social_worker.user)
    for url in ("/api/v1/openapi.yaml", "/api/v1/casussen", "/api/docs"):
        assert "Access-Control-Allow-Origin" not in client.get(url, HTTP_ORIGIN="https://elders.example"), url
