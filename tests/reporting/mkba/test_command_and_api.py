"""`manage.py mkba_calculate INPUT.json` and `POST /api/v1/mkba/berekeningen`: the same result for the
same input, problem details for bad input, and who may call the endpoint."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from common.services import create_api_client
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

ENDPOINT = "/api/v1/mkba/berekeningen"

INPUT = {
    "name": "Wijkteam Noord 2025, frictie 40%",
    "year": 2025,
    "team": {"memberFte": 9.5, "leaderFte": 1, "otherCosts": 40000, "additionalShare": 0.6},
    "friction": {"share": 0.4, "otherOneOffCosts": 25000},
    "extraTrajectories": [{"type": "schuldhulpverlening", "count": 12.5}, {"type": "ggz_ambulant", "count": 4}],
    "substitutedTrajectories": [{"type": "maatschappelijke_dienstverlening", "count": 30},
                                {"type": "uitkering", "count": 2, "actor": "gemeente"}],
    "coordination": {"households": 60, "interventionsPerHousehold": 3.2},
    "benefits": [
        {"category": "escalation", "label": "Voorkomen huisuitzettingen", "actor": "woningcorporatie",
         "amount": 60000, "year": 2},
        {"category": "intangible", "label": "Kwaliteit van leven", "count": 12, "factor": 0.05, "priceKey": "qaly",
         "year": 0},
    ],
    "effects": {"attribution": 0.5, "relapse": 0.2},
}


def run_command(document, tmp_path):
    path = tmp_path / "invoer.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("mkba_calculate", str(path), stdout=out, stderr=err)
    return json.loads(out.getvalue())


def api_as(staff):
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


def test_the_command_and_the_api_give_the_same_result_for_the_same_input(tmp_path):
    from_command = run_command(INPUT, tmp_path)
    response = api_as(StaffFactory(municipality=True)).post(ENDPOINT, INPUT, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == from_command
    # and the figures are those of DOMAIN.md §5 with price book version 1
    assert from_command["priceBookVersion"] == 1
    # 9.5 x 85,000 + 92,000 + 40,000
    assert from_command["costs"]["newApproach"] == 939500.0
    # 0.4 x 9.5 x 85,000 + 25,000
    assert from_command["costs"]["friction"] == 348000.0
    # 12.5 x 2,000 + 4 x 2,100
    assert from_command["costs"]["extraCare"] == 33400.0
    assert from_command["benefits"]["newForOld"] == 375800.0  # 0.4 x 939,500
    assert from_command["benefits"]["substitution"] == 58800.0  # 30 x 1,000 + 2 x 14,400
    assert from_command["benefits"]["coordination"] == 6816.0  # 60 x 3.2 x 0.5 x 71


def test_the_command_reads_standard_input_and_prints_json(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(INPUT)))
    out = io.StringIO()
    call_command("mkba_calculate", "-", "--indent", "0", stdout=out)
    assert json.loads(out.getvalue())["name"] == INPUT["name"]


BAD = {
    "name": "Fout", "year": 2025,
    "team": {"memberFte": 1, "leaderFte": 0, "additionalShare": 1.5},
    "friction": {"share": 0.4},
    "extraTrajectories": [{"type": "toverdrank", "count": 1}, {"type": "schuldhulpverlening", "count": -3}],
}


def test_invalid_input_gives_problem_details_listing_every_error():
    response = api_as(StaffFactory(municipality=True)).post(ENDPOINT, BAD, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400 and body["title"] == "Ongeldige invoer."
    params = {param["name"]: param for param in body["invalid-params"]}
    assert set(params) == {"team.additionalShare", "extraTrajectories.0.type", "extraTrajectories.1.count"}
    assert params["extraTrajectories.0.type"]["code"] == "unknown_type"
    assert "Onbekende trajectsoort 'toverdrank'" in params["extraTrajectories.0.type"]["reason"]
    assert params["extraTrajectories.1.count"]["reason"] == "Een aantal mag niet negatief zijn."
    assert params["team.additionalShare"]["code"] == "out_of_range"


def test_invalid_input_makes_the_command_fail_with_every_error_on_stderr(tmp_path):
    path = tmp_path / "fout.json"
    path.write_text(json.dumps(BAD), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 fout"):
        call_command("mkba_calculate", str(path), stdout=io.StringIO(), stderr=err)
    assert "extraTrajectories.0.type: Onbekende trajectsoort 'toverdrank'" in err.getvalue()


def test_the_command_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "kapot.json"
    path.write_text("{name: ", encoding="utf-8")
    with pytest.raises(CommandError, match="Geen geldige JSON"):
        call_command("mkba_calculate", str(path), stdout=io.StringIO())


def test_an_unknown_price_book_version_or_a_non_object_is_refused():
    api = api_as(StaffFactory(municipality=True))
    response = api.post(ENDPOINT, {**INPUT, "priceBookVersion": 99}, format="json")
    assert response.status_code == 400
    assert response.json()["invalid-params"][0]["name"] == "priceBookVersion"
    assert api.post(ENDPOINT, [1, 2], format="json").status_code == 400


@pytest.mark.parametrize("role,status", [
    ("gemeente", 200), ("beheerder", 200), ("teamleider", 200), ("sociaal_werker", 403),
])
def test_staff_roles_that_may_calculate(role, status):
    staff = {"gemeente": lambda: StaffFactory(municipality=True),
             "beheerder": lambda: StaffFactory(administrator=True),
             "teamleider": lambda: StaffFactory(leader=True),
             "sociaal_werker": lambda: StaffFactory()}[role]()
    response = api_as(staff).post(ENDPOINT, INPUT, format="json")
    assert response.status_code == status
    if status == 403:
        assert response["Content-Type"].startswith("application/problem+json")


def test_anonymous_callers_are_refused():
    assert APIClient().post(ENDPOINT, INPUT, format="json").status_code in (401, 403)


def test_machine_clients_need_the_mkba_lezen_scope():
    _, with_scope = create_api_client(name="Rekenaar", scopes=["mkba.lezen"])
    _, without = create_api_client(name="Dashboard", scopes=["aggregaten.lezen"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {with_scope}")
    assert client.post(ENDPOINT, INPUT, format="json").status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {without}")
    assert client.post(ENDPOINT, INPUT, format="json").status_code == 403


def test_the_documented_example_input_runs():
    from pathlib import Path

    from django.conf import settings

    example = Path(settings.BASE_DIR) / "reporting" / "mkba" / "examples" / "invoer.json"
    out = io.StringIO()
    call_command("mkba_calculate", str(example), stdout=out)
    result = json.loads(out.getvalue())
    assert result["name"].startswith("Voorbeeld") and result["ratioSocietal"] is not None
    assert round(sum(row["benefits"] for row in result["byActor"]), 2) == result["benefits"]["total"]
