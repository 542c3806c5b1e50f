"""The scope × endpoint matrix: every /api/v1 endpoint, every scope.

The endpoints are found by walking the URL patterns under api/v1, so a new endpoint cannot be missed: it
fails `test_every_api_endpoint_has_a_row_in_the_matrix` until it gets a row in EXPECTED below. A row says
which scopes may call that endpoint with that method; every other scope must get 403 (problem details).
A new endpoint needs only a row here, e.g.
    ("aggregaten/export", "GET"): AGGREGATES,
plus, when its route has a path parameter, an object in Objects.by_segment.
"""
from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from cases import services
from cases.models import InterventionType
from common.audit import Actor
from common.models import Scope
from common.services import create_api_client
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ALL_SCOPES = [scope.value for scope in Scope]
AGGREGATES = {Scope.AGGREGATES_READ.value}
READ = {Scope.REGISTRATION_READ.value}
WRITE = {Scope.REGISTRATION_WRITE.value}
RESEARCH = {Scope.RESEARCH_READ.value}
MKBA = {Scope.MKBA_READ.value}
EVERYONE = set(ALL_SCOPES)

# (route under /api/v1/, method) -> the scopes that may call it.
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("openapi.yaml", "GET"): EVERYONE,  # the schema itself: any authenticated client (schemathesis runs on it)
    ("openapi.json", "GET"): EVERYONE,  # the same document published for anyone (NL API Design Rules)
    # Registration: households, persons, cases (cases/api/registration.py)
    ("huishoudens", "GET"): READ,
    ("huishoudens/<int:pk>", "GET"): READ,
    ("huishoudens/<int:pk>", "PATCH"): WRITE,
    ("huishoudens/<int:pk>/personen", "GET"): READ,
    ("huishoudens/<int:pk>/personen", "POST"): WRITE,
    ("personen/<int:pk>", "GET"): READ,
    ("personen/zoeken", "POST"): READ,  # a search is a read, sent as POST to keep the BSN out of the URL
    ("casussen", "GET"): READ,
    ("casussen", "POST"): WRITE,
    ("casussen/<int:pk>", "GET"): READ,
    ("casussen/<int:pk>/eerste-contact", "POST"): WRITE,
    ("casussen/<int:pk>/regie-overdragen", "POST"): WRITE,
    ("casussen/<int:pk>/afsluiten", "POST"): WRITE,
    ("casussen/<int:pk>/heropenen", "POST"): WRITE,
    # Registration: plans, interventions, escalations (cases/api/views.py)
    ("casussen/<int:case_id>/plannen", "GET"): READ,
    ("casussen/<int:case_id>/plannen", "POST"): WRITE,
    ("plannen/<int:pk>", "GET"): READ,
    ("plannen/<int:pk>", "PATCH"): WRITE,
    ("plannen/<int:pk>/vaststellen", "POST"): WRITE,
    ("plannen/<int:pk>/evalueren", "POST"): WRITE,
    ("plannen/<int:pk>/doelen", "GET"): READ,
    ("plannen/<int:pk>/doelen", "POST"): WRITE,
    ("plannen/<int:pk>/afspraken", "GET"): READ,
    ("plannen/<int:pk>/afspraken", "POST"): WRITE,
    ("plannen/<int:pk>/redenen-zonder-doel", "GET"): READ,
    ("plannen/<int:pk>/redenen-zonder-doel", "POST"): WRITE,
    ("plannen/<int:pk>/netwerkanalyse", "GET"): READ,
    ("plannen/<int:pk>/netwerkanalyse", "PUT"): WRITE,
    ("casussen/<int:case_id>/trajecten", "GET"): READ,
    ("casussen/<int:case_id>/trajecten", "POST"): WRITE,
    ("trajecten/<int:pk>", "GET"): READ,
    ("trajecten/<int:pk>", "PUT"): WRITE,
    ("trajecten/<int:pk>", "PATCH"): WRITE,
    ("casussen/<int:case_id>/escalaties", "GET"): READ,
    ("casussen/<int:case_id>/escalaties", "POST"): WRITE,
    # Registration: measurements (zrm/api/views.py), regiecheck and bulk import
    ("casussen/<int:case_id>/zrm-metingen", "GET"): READ,
    ("casussen/<int:case_id>/zrm-metingen", "POST"): WRITE,
    ("zrm-metingen/<int:pk>", "GET"): READ,
    ("zrm-metingen/<int:pk>/vaststellen", "POST"): WRITE,
    ("regiecheck", "POST"): READ,
    ("imports", "POST"): WRITE,
    # Municipality aggregates (reporting/api/aggregates.py), small cells suppressed
    ("aggregaten", "GET"): AGGREGATES,
    ("aggregaten/export", "GET"): AGGREGATES,
    ("aggregaten/perioden", "GET"): AGGREGATES,
    # Research extract and MKBA
    ("onderzoeksbestand", "GET"): RESEARCH,
    ("mkba/berekeningen", "POST"): MKBA,
}

METHODS = ("get", "post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def api_endpoints() -> list[tuple[str, str]]:
    """Every (route under /api/v1/, HTTP method) the URL configuration serves."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            continue
        view = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
        assert view is not None, f"{route}: not a class-based view"
        found += [(route.removeprefix("api/v1/"), method.upper()) for method in METHODS if hasattr(view, method)]
    return found


# --- Data: a case of the clients' team with a plan, an intervention and a measurement --------------------

class Objects:
    def __init__(self):
        from tests.zrm.factories import record

        self.case = CaseFactory()
        self.team = self.case.team
        self.person = self.case.household.memberships.get().person
        actor = Actor(user=self.case.regisseur.user)
        self.plan = services.start_plan(actor=actor, case=self.case, covered_persons=[self.person])
        self.intervention, _ = services.record_intervention(actor=actor, case=self.case, data=services.InterventionData(
            type=InterventionType.objects.get(code="schuldhulpverlening"), team_action="gestart", deliverer="extern"))
        self.measurement = record(self.case, self.person, finalise=False)

    @property
    def by_segment(self) -> dict:
        return {"casussen": self.case, "plannen": self.plan, "trajecten": self.intervention,
                "zrm-metingen": self.measurement, "huishoudens": self.case.household, "personen": self.person}


def url_for(route: str, objects: Objects) -> str:
    """The route with its path parameters filled in: `case_id` is the case, `pk` the object its first segment
    names (casussen, plannen, ...)."""
    def value(match):
        name = match[1]
        if name == "case_id":
            return str(objects.case.pk)
        segment = route.split("/")[0]
        if name == "pk" and segment in objects.by_segment:
            return str(objects.by_segment[segment].pk)
        pytest.fail(f"{route}: no test object for <{name}>; add one to Objects.by_segment")

    return "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def call(api: APIClient, method: str, url: str):
    if method == "GET":
        return api.get(url)
    return getattr(api, method.lower())(url, {}, format="json")


def client_with(scope: str, team) -> APIClient:
    teams = [team] if scope in (Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE) else []
    _, token = create_api_client(name=f"client {scope}", scopes=[scope], teams=teams)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


# --- The matrix ------------------------------------------------------------------------------------------

def test_every_api_endpoint_has_a_row_in_the_matrix():
    served = set(api_endpoints())
    missing = sorted(served - set(EXPECTED))
    stale = sorted(set(EXPECTED) - served)
    assert not missing, f"endpoints without a row in EXPECTED (say which scopes may call them): {missing}"
    assert not stale, f"rows in EXPECTED for endpoints that do not exist (any more): {stale}"


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_scope_gets_exactly_its_endpoints(scope):
    objects = Objects()
    api = client_with(scope, objects.team)
    wrong = []
    for route, method in api_endpoints():
        allowed = scope in EXPECTED.get((route, method), set())
        response = call(api, method, url_for(route, objects))
        if allowed and response.status_code in (401, 403):
            wrong.append(f"{method} {route}: {response.status_code}, expected access")
        elif allowed and response.status_code >= 500:
            wrong.append(f"{method} {route}: server error {response.status_code}")
        elif not allowed and response.status_code != 403:
            wrong.append(f"{method} {route}: {response.status_code}, expected 403")
        elif not allowed and response["Content-Type"] != "application/problem+json":
            wrong.append(f"{method} {route}: 403 without problem details")
        if response.get("API-Version") != "1.0.0":
            wrong.append(f"{method} {route}: no API-Version header")
    assert not wrong, f"scope {scope}:\n" + "\n".join(wrong)


def test_a_registration_client_of_team_a_can_neither_read_nor_write_team_b():
    """Every registration endpoint with a path parameter, given team B's objects: 403 or 404, nothing leaks."""
    own, other = Objects(), Objects()
    _, token = create_api_client(name="Koppeling team A", teams=[own.team],
                                 scopes=[Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    wrong, checked = [], 0
    for route, method in api_endpoints():
        if "<" not in route or not EXPECTED.get((route, method), set()) & (READ | WRITE):
            continue
        checked += 1
        response = call(api, method, url_for(route, other))
        if response.status_code not in (403, 404):
            wrong.append(f"{method} {route}: {response.status_code}")
        # The same call on team A's objects is not refused: the 403 above is about the team, not the scope.
        if call(api, method, url_for(route, own)).status_code in (401, 403):
            wrong.append(f"{method} {route}: refused for the client's own team")
    assert checked >= 30 and not wrong, "\n".join(wrong)
    measurement = type(other.measurement).objects.get(pk=other.measurement.pk)
    assert measurement.status == "concept" and other.plan.goals.count() == 0


def test_registration_lists_exclude_other_teams():
    own, other = Objects(), Objects()
    _, token = create_api_client(name="Lezer team A", scopes=[Scope.REGISTRATION_READ], teams=[own.team])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    lists = [route for route, method in api_endpoints()
             if method == "GET" and "<" not in route and EXPECTED.get((route, method)) == READ]
    assert "casussen" in lists and "huishoudens" in lists
    foreign = {"casussen": other.case.pk, "huishoudens": other.case.household_id}
    for route in lists:
        response = api.get(f"/api/v1/{route}")
        assert response.status_code == 200, route
        listed = [row["id"] for row in response.json()["results"]]
        assert listed and foreign.get(route) not in listed, route
