"""The research extract: pseudonymised, per-client pseudonyms, no direct identifiers, every call logged."""
import json

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.models import InterventionType
from cases.selectors import age_on
from common.models import AuditEvent
from common.services import create_api_client
from reporting.models import ResearchRequest
from tests.factories import CaseFactory, MembershipFactory
from tests.zrm.factories import all_scores, record

pytestmark = pytest.mark.django_db
URL = "/api/v1/onderzoeksbestand"


def bearer(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture(autouse=True)
def no_minimum_group(settings):
    """One small registration: k = 1 here; tests/reporting/test_research_anonymity.py tests k-anonymity."""
    settings.WIJKREGIE = {**settings.WIJKREGIE, "RESEARCH_K_ANONYMITY": 1}


@pytest.fixture
def registration():
    case = CaseFactory()
    adult = case.household.memberships.get().person
    child = MembershipFactory(household=case.household, role="kind").person
    record(case, adult, scores=all_scores(2))
    services.record_intervention(
        actor=services.Actor(user=case.regisseur.user), case=case,
        data=services.InterventionData(type=InterventionType.objects.get(code="schuldhulpverlening"),
                                       team_action="gestart", deliverer="extern", person=adult))
    return case, adult, child


def test_rows_hold_pseudonyms_and_no_direct_identifiers(registration):
    case, adult, child = registration
    _, token = create_api_client(name="Universiteit", scopes=["onderzoek.lezen"])
    response = bearer(token).get(URL, {"doel": "Evaluatie wijkteams 2026"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and len(body["results"]) == 2
    text = json.dumps(body)
    for secret in (adult.bsn, adult.last_name, adult.first_name, case.household.street, str(adult.date_of_birth),
                   case.household.postcode):
        assert secret not in text
    row = next(r for r in body["results"] if r["role"] == "ouder")
    age = age_on(adult.date_of_birth, case.melding_date)
    assert row["ageBand"] == f"{age // 5 * 5}-{age // 5 * 5 + 4}" and row["postcodeArea"] == case.household.postcode[:2]
    assert row["meldingPeriod"] == f"{case.melding_date:%Y-%m}" and "birthYear" not in row
    assert row["measurements"][0]["scores"]["financien"] == 2
    assert row["interventions"][0]["type"] == "schuldhulpverlening"
    assert row["householdType"] == "gezin"


def test_pseudonyms_are_stable_per_client_and_differ_between_clients(registration):
    _, token_a = create_api_client(name="A", scopes=["onderzoek.lezen"])
    _, token_b = create_api_client(name="B", scopes=["onderzoek.lezen"])

    def pseudonyms(token):
        return sorted(r["personPseudonym"] for r in bearer(token).get(URL, {"doel": "x"}).json()["results"])

    assert pseudonyms(token_a) == pseudonyms(token_a)
    assert set(pseudonyms(token_a)).isdisjoint(pseudonyms(token_b))


def test_every_call_is_logged_with_client_and_purpose(registration):
    client, token = create_api_client(name="Universiteit", scopes=["onderzoek.lezen"])
    bearer(token).get(URL, {"doel": "Evaluatie wijkteams 2026"})
    request = ResearchRequest.objects.get()  # the stated purpose stays with the request, under retention
    assert (request.client, request.purpose, request.page) == (client, "Evaluatie wijkteams 2026", "1")
    event = AuditEvent.objects.get(object_type="researchrequest")
    assert (event.client, event.object_id, event.purpose) == ("api:Universiteit", str(request.pk), "onderzoek")
    assert event.action == "export"


def test_a_purpose_is_required(registration):
    _, token = create_api_client(name="Universiteit", scopes=["onderzoek.lezen"])
    response = bearer(token).get(URL)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["invalid-params"][0]["name"] == "doel"


def test_other_scopes_and_staff_sessions_are_refused(registration, login):
    case, adult, child = registration
    _, token = create_api_client(name="Gemeente", scopes=["aggregaten.lezen"])
    assert bearer(token).get(URL, {"doel": "x"}).status_code == 403
    assert login(case.regisseur).get(URL, {"doel": "x"}).status_code == 403
