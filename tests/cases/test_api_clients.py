"""Machine clients: hashed tokens shown once, scopes, team limits, and the API-Version header."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from common.models import ApiClient
from common.services import create_api_client, hash_token, rotate_api_client_token
from tests.factories import CaseFactory, TeamFactory

pytestmark = pytest.mark.django_db


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_the_token_is_stored_only_as_a_hash():
    client, token = create_api_client(name="CBS-koppeling", scopes=["aggregaten.lezen"])
    stored = ApiClient.objects.get(pk=client.pk)
    assert token not in (stored.token_hash, stored.token_prefix + stored.token_hash)
    assert stored.token_hash == hash_token(token) and len(stored.token_hash) == 64
    assert not any(token in str(value) for value in ApiClient.objects.values().get(pk=client.pk).values())


def test_create_api_client_command_prints_the_token_once_and_it_works():
    team = TeamFactory(name="Wijkteam Noord")
    out = io.StringIO()
    call_command("create_api_client", "Registratiekoppeling", "--scopes", "registratie.lezen", "--teams",
                 "Wijkteam Noord", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    client = ApiClient.objects.get(name="Registratiekoppeling")
    assert list(client.teams.all()) == [team] and client.scopes == ["registratie.lezen"]
    case = CaseFactory(team=team, regisseur__team=team)
    response = bearer(token).get(f"/api/v1/casussen/{case.pk}/zrm-metingen")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("args,message", [
    (["X", "--scopes", "registratie.lezen"], "kies teams"),
    (["X", "--scopes", "alles.mogen"], "Onbekende scope"),
    (["X", "--scopes", "aggregaten.lezen", "--teams", "Bestaat niet"], "Onbekend team"),
])
def test_create_api_client_command_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_client", *args, stdout=io.StringIO())
    assert not ApiClient.objects.exists()


def test_unknown_revoked_and_rotated_tokens_are_refused():
    case = CaseFactory()
    client, token = create_api_client(name="K", scopes=["registratie.lezen"], teams=[case.team])
    url = f"/api/v1/casussen/{case.pk}/zrm-metingen"
    assert bearer(token).get(url).status_code == 200
    assert bearer(token[:-1] + "x").get(url).status_code == 401
    new_token = rotate_api_client_token(client=client)
    assert bearer(token).get(url).status_code == 401
    assert bearer(new_token).get(url).status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(active=False)
    assert bearer(new_token).get(url).status_code == 401


def test_a_registration_client_sees_only_its_teams():
    own, other = CaseFactory(), CaseFactory()
    _, token = create_api_client(name="K", scopes=["registratie.lezen"], teams=[own.team])
    api = bearer(token)
    assert api.get(f"/api/v1/casussen/{own.pk}/zrm-metingen").status_code == 200
    assert api.get(f"/api/v1/casussen/{other.pk}/zrm-metingen").status_code == 403


def test_a_client_without_the_scope_is_refused():
    case = CaseFactory()
    _, token = create_api_client(name="Gemeente", scopes=["aggregaten.lezen"])
    assert bearer(token).get(f"/api/v1/casussen/{case.pk}/zrm-metingen").status_code == 403


def test_every_api_response_carries_the_api_version_header():
    case = CaseFactory()
    for response in (APIClient().get(f"/api/v1/casussen/{case.pk}/zrm-metingen"),
                     bearer("nonsense").get(f"/api/v1/casussen/{case.pk}/zrm-metingen")):
        assert response["API-Version"] == "1.0.0"


def test_a_machine_read_is_audited_with_the_clients_name():
    from common.models import AuditEvent
    from tests.zrm.factories import all_scores, record

    case = CaseFactory()
    record(case, case.household.memberships.get().person, scores=all_scores(3))
    _, token = create_api_client(name="Regiecheck-koppeling", scopes=["registratie.lezen"],
                                 teams=[case.team])
    bearer(token).get(f"/api/v1/casussen/{case.pk}/zrm-metingen")
    event = AuditEvent.objects.filter(client="api:Regiecheck-koppeling").get()
    assert event.user is None and event.action == "read" and event.case == case


@pytest.mark.parametrize("query", [{"bsn": "x"}, {"achternaam": "Jansen"}, {"dateOfBirth": "1980-01-01"},
                                   {"zoek": "111222333"}])
def test_personal_data_in_a_query_string_is_refused(query, login):
    case = CaseFactory()
    response = login(case.regisseur).get(f"/api/v1/casussen/{case.pk}/zrm-metingen", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response["API-Version"] == "1.0.0"
    assert response.json()["invalid-params"][0]["code"] == "personal_data_in_url"
    assert "111222333" not in response.content.decode()


def test_ordinary_query_keys_pass(login):
    case = CaseFactory()
    assert login(case.regisseur).get(f"/api/v1/casussen/{case.pk}/zrm-metingen", {"page": "1"}).status_code == 200


def test_a_registration_client_records_a_finalised_measurement():
    from tests.zrm.factories import case_with_adult
    from tests.zrm.test_api import body
    from zrm.models import Measurement

    case, person = case_with_adult()
    _, token = create_api_client(name="WIZ-migratie", scopes=["registratie.schrijven"], teams=[case.team])
    # A machine is never the assessor: it names the staff member who scored.
    payload = body(person, assessor=case.regisseur.pk)
    response = bearer(token).post(f"/api/v1/casussen/{case.pk}/zrm-metingen", payload, format="json")
    assert response.status_code == 201, response.content
    measurement = Measurement.objects.get()
    assert measurement.created_by is None and measurement.created_by_client == "api:WIZ-migratie"
    assert measurement.status == "vastgesteld" and measurement.finalised_by is None
