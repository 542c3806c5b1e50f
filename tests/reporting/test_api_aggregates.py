"""Municipality API: stored aggregates with server-side small-cell suppression, CSV export, problem details."""
import datetime as dt

import pytest
from rest_framework.test import APIClient

from common.models import AuditEvent
from common.services import create_api_client
from reporting.models import AggregateCell, ReportPeriod
from tests.factories import StaffFactory, TeamFactory

pytestmark = pytest.mark.django_db
START = dt.date(2026, 10, 1)
QUERY = {"scopeKind": "all", "periodKind": "month", "periodStart": "2026-10-01"}


def bearer(scopes, teams=()):
    _, token = create_api_client(name="-".join(scopes) + str(len(teams)), scopes=scopes, teams=teams)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture
def cells():
    common = {"scope_kind": "all", "scope_key": "", "period_kind": "month", "period_start": START}
    AggregateCell.objects.bulk_create([
        AggregateCell(indicator="inflow", key1="huisarts_poh", count=12, **common),
        AggregateCell(indicator="inflow", key1="school", count=3, **common),
        AggregateCell(indicator="zrm_domain_mean", key1="zrm-2017", key2="financien", key3="delta", count=None,
                      value=0.25, base=4, **common),
        AggregateCell(indicator="zrm_domain_mean", key1="zrm-2017", key2="huisvesting", key3="delta", count=None,
                      value=0.4, base=30, **common),
        AggregateCell(indicator="caseload_worker", key1="17", count=25, value=30.0, **common),
    ])
    ReportPeriod.objects.get_or_create(kind="month", start_date=START,
                                       defaults={"end_date": dt.date(2026, 11, 1), "last_day": dt.date(2026, 10, 31)})


def by_key(body):
    return {(r["indicator"], r["key1"], r["key2"]): r for r in body["results"]}


def test_small_cells_are_suppressed_server_side(cells):
    response = bearer(["aggregaten.lezen"]).get("/api/v1/aggregaten", QUERY)
    assert response.status_code == 200 and response["API-Version"] == "1.0.0"
    rows = by_key(response.json())
    assert rows[("inflow", "huisarts_poh", "")]["count"] == 12 and not rows[("inflow", "huisarts_poh", "")]["suppressed"]
    assert rows[("inflow", "school", "")]["count"] is None and rows[("inflow", "school", "")]["suppressed"]
    small_mean = rows[("zrm_domain_mean", "zrm-2017", "financien")]
    assert small_mean["value"] is None and small_mean["suppressed"]
    assert rows[("zrm_domain_mean", "zrm-2017", "huisvesting")]["value"] == 0.4


def test_per_worker_cells_never_leave_the_team(cells):
    rows = by_key(bearer(["aggregaten.lezen"]).get("/api/v1/aggregaten", QUERY).json())
    assert not any(key[0].startswith("caseload_worker") for key in rows)


def test_the_csv_export_is_suppressed_too(cells):
    response = bearer(["aggregaten.lezen"]).get("/api/v1/aggregaten/export", QUERY)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "inflow;school;;;<5;;;ja" in text and "inflow;huisarts_poh;;;12;;;nee" in text
    assert "caseload_worker" not in text
    assert AuditEvent.objects.filter(object_type="sturingsinformatie", action="export").count() == 1


def test_the_periods_are_listed(cells):
    body = bearer(["aggregaten.lezen"]).get("/api/v1/aggregaten/perioden").json()
    assert body["results"] == [{"periodKind": "month", "periodStart": "2026-10-01"}]


@pytest.mark.parametrize("query,name", [
    ({"periodKind": "week", "periodStart": "2026-10-01"}, "periodKind"),
    ({"periodKind": "month", "periodStart": "1 oktober"}, "periodStart"),
    ({**QUERY, "scopeKind": "team", "scopeKey": "999"}, "scopeKey"),
    ({**QUERY, "scopeKind": "provincie"}, "scopeKind"),
])
def test_malformed_parameters_give_problem_details(cells, query, name):
    response = bearer(["aggregaten.lezen"]).get("/api/v1/aggregaten", query)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalid-params"]] == [name]


def digits(pk: int, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) for d in str(pk))


@pytest.mark.parametrize("scope_key", [
    lambda pk: "²", lambda pk: digits(pk, "٠"), lambda pk: digits(pk, "０"), lambda pk: f"{pk} ", lambda pk: f"-{pk}",
    lambda pk: "9" * 40, lambda pk: "",
], ids=["superscript", "arabic-indic", "fullwidth", "space", "negative", "huge", "empty"])
@pytest.mark.parametrize("path", ["/api/v1/aggregaten", "/api/v1/aggregaten/export"])
def test_a_team_id_is_ascii_digits_of_an_existing_team(cells, scope_key, path):
    # '²'.isdigit() is true and int('١٢') is 12: neither may reach the database as a team id (once a 500, or
    # another spelling of a team's id).
    team, api = TeamFactory(), bearer(["aggregaten.lezen"])
    response = api.get(path, {**QUERY, "scopeKind": "team", "scopeKey": scope_key(team.pk)})
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert [(p["name"], p["code"]) for p in response.json()["invalid-params"]] == [("scopeKey", "invalid")]
    assert api.get(path, {**QUERY, "scopeKind": "team", "scopeKey": team.pk}).status_code == 200


@pytest.mark.parametrize("scopes", [["registratie.lezen"], ["onderzoek.lezen"], ["mkba.lezen"]])
def test_other_scopes_are_refused(cells, scopes):
    teams = [TeamFactory()] if scopes[0].startswith("registratie") else []
    assert bearer(scopes, teams).get("/api/v1/aggregaten", QUERY).status_code == 403


def test_gemeente_and_team_leader_sessions_may_read_social_workers_may_not(cells, client):
    for staff, expected in ((StaffFactory(municipality=True), 200), (StaffFactory(leader=True), 200),
                            (StaffFactory(), 403)):
        client.force_login(staff.user)
        assert client.get("/api/v1/aggregaten", QUERY).status_code == expected
