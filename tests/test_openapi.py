"""The OpenAPI document: committed, equal to what the code generates, and following the NL API Design Rules."""
import re
from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "config" / "openapi.yaml"


@pytest.fixture(scope="module")
def generated():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiYamlRenderer().render(schema, renderer_context={}).decode()


def test_the_committed_document_equals_the_generated_one(generated):
    assert COMMITTED.exists(), "run `make openapi` and commit config/openapi.yaml"
    assert COMMITTED.read_text() == generated, "the API changed: run `make openapi` and commit config/openapi.yaml"


def test_paths_are_versioned_kebab_case_without_trailing_slashes(generated):
    document = yaml.safe_load(generated)
    paths = document["paths"]
    assert paths
    # The major version is in the server URL (NL API Design Rules /core/uri-version); paths are relative to it.
    assert [server["url"] for server in document["servers"]] == ["https://{host}/api/v1"]
    for path in paths:
        assert not path.startswith("/api/"), path
        assert not path.endswith("/"), path
        for segment in path.strip("/").split("/"):
            if not segment.startswith("{"):
                assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)?", segment), f"{path}: {segment}"


def test_query_parameters_are_camel_case_and_hold_no_personal_data(generated):
    document = yaml.safe_load(generated)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", parameter["name"]), (path, parameter["name"])
                    assert parameter["name"].lower() not in {"bsn", "naam", "achternaam", "geboortedatum"}


def test_every_list_is_paginated(generated):
    document = yaml.safe_load(generated)
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        schema = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        assert schema.get("type") != "array", f"{path} returns a bare list: paginate it"


@pytest.mark.django_db
def test_interactive_docs_are_for_signed_in_staff(client, social_worker):
    assert client.get("/api/docs").status_code in (401, 403)
    client.force_login(social_worker.user)
    response = client.get("/api/docs")
    assert response.status_code == 200 and "unsafe-inline" not in response["Content-Security-Policy"]
    assert client.get("/api/v1/openapi.yaml").status_code == 200
