"""Staff REST API for measurements: same service validation, team-scoped, problem details."""
import datetime as dt

import pytest

from common.models import AuditEvent
from tests.factories import PersonFactory, StaffFactory
from tests.zrm.factories import CODES_2017, case_with_adult, record
from zrm.models import Measurement, MeasurementStatus

pytestmark = pytest.mark.django_db


def url(case):
    return f"/api/v1/casussen/{case.pk}/zrm-metingen"


def body(person, **extra):
    return {
        "person": person.pk, "date": dt.date.today().isoformat(), "type": "nulmeting", "status": "vastgesteld",
        "scores": [{"domain": code, "score": 3} for code in CODES_2017[:-1]]
        + [{"domain": "justitie", "notScoredReason": "niet_relevant"}],
        **extra,
    }


def test_an_integration_creates_a_finalised_measurement_with_derived_values(login):
    case, person = case_with_adult()
    response = login(case.regisseur).post(url(case), body(person, incomeSource="uitkering"), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "vastgesteld" and data["instrumentVersion"] == "zrm-2017"
    assert data["problemDomainCount"] == 12 and data["bucket"] == ">7"
    assert data["householdCategory"] == "meervoudig_zelfredzaam"
    assert {"domain": "justitie", "score": None, "notScoredReason": "niet_relevant"} in data["scores"]
    assert data["warnings"] == []
    m = Measurement.objects.get()
    assert AuditEvent.objects.filter(object_id=str(m.pk), object_type="measurement", client="api (sessie)").exists()


def test_the_benefit_warning_comes_back_in_the_api_result(login):
    case, person = case_with_adult()
    payload = body(person, incomeSource="uitkering", scores=[{"domain": "financien", "score": 5}])
    data = login(case.regisseur).post(url(case), payload, content_type="application/json").json()
    assert len(data["warnings"]) == 1 and "Financiën" in data["warnings"][0]


def test_listing_a_case_measurements_is_paginated_and_audited(login):
    case, person = case_with_adult()
    record(case, person)
    record(case, person, finalise=False, type="tussenmeting")
    response = login(case.regisseur).get(url(case))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and [m["status"] for m in data["results"]] == ["vastgesteld", "concept"]
    assert AuditEvent.objects.filter(object_type="measurement", action="read", client="api (sessie)").count() == 2


def test_service_validation_errors_are_problem_details_with_every_invalid_param(login):
    case, person = case_with_adult()
    payload = body(person, date=(dt.date.today() + dt.timedelta(days=1)).isoformat(), participatieladder=9,
                   scores=[{"domain": "financien", "score": 7}, {"domain": "opvang", "score": 2}])
    response = login(case.regisseur).post(url(case), payload, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["instance"] == url(case)
    names = {}
    for param in problem["invalid-params"]:
        names.setdefault(param["name"], []).append(param["reason"])
    assert names["date"] == ["De datum van de meting ligt in de toekomst."]
    assert names["participatieladder"] == ["De participatieladder loopt van 1 tot en met 6."]
    assert "Financiën" in names["scores.financien"][0]
    assert any("Onbekend domein 'opvang'" in reason for reason in names["scores"])
    assert not Measurement.objects.exists()


def test_shape_errors_are_problem_details_too(login):
    case, person = case_with_adult()
    payload = {"person": person.pk, "type": "jaarmeting", "scores": [{"domain": "financien"}]}
    response = login(case.regisseur).post(url(case), payload, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    names = {p["name"] for p in response.json()["invalid-params"]}
    assert {"date", "type", "scores.0"} <= names


def test_a_person_outside_the_household_is_refused(login):
    case, _ = case_with_adult()
    response = login(case.regisseur).post(url(case), body(PersonFactory()), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["invalid-params"][0]["name"] == "person"


def test_another_team_gemeente_and_anonymous_cannot_list_or_create(client, login):
    case, person = case_with_adult()
    record(case, person)
    for staff in (StaffFactory(), StaffFactory(municipality=True), StaffFactory(administrator=True)):
        c = login(staff)
        for response in (c.get(url(case)), c.post(url(case), body(person), content_type="application/json")):
            assert response.status_code == 403
            assert response["Content-Type"] == "application/problem+json"
        c.logout()
    assert client.get(url(case)).status_code in (401, 403)
    assert Measurement.objects.count() == 1


def test_finalising_a_concept_through_the_api_and_conflict_when_already_final(login):
    case, person = case_with_adult()
    client = login(case.regisseur)
    created = client.post(url(case), body(person, status="concept"), content_type="application/json").json()
    assert created["status"] == "concept" and created["problemDomainCount"] is None
    response = client.post(f"/api/v1/zrm-metingen/{created['id']}/vaststellen")
    assert response.status_code == 200 and response.json()["status"] == "vastgesteld"
    response = client.post(f"/api/v1/zrm-metingen/{created['id']}/vaststellen")
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert Measurement.objects.get().status == MeasurementStatus.FINAL


def test_a_correction_through_the_api(login):
    case, person = case_with_adult()
    original = record(case, person)
    client = login(case.regisseur)
    response = client.post(url(case), body(person, supersedes=original.pk), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["invalid-params"][0]["name"] == "correctionReason"
    response = client.post(url(case), body(person, supersedes=original.pk, correctionReason="Typfout"),
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["supersedes"] == original.pk
    listed = client.get(url(case)).json()["results"]
    assert [m["isSuperseded"] for m in listed] == [True, False]


def test_detail_is_team_scoped_and_paths_have_no_trailing_slash(login):
    case, person = case_with_adult()
    m = record(case, person)
    assert login(case.regisseur).get(f"/api/v1/zrm-metingen/{m.pk}").json()["id"] == m.pk
    assert login(StaffFactory()).get(f"/api/v1/zrm-metingen/{m.pk}").status_code == 403
    assert login(case.regisseur).get(f"/api/v1/zrm-metingen/{m.pk}/").status_code == 404
    assert login(case.regisseur).get(url(case) + "/").status_code == 404
