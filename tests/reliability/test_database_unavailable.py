"""The database goes away in the middle of a request.

Users get a clear Dutch 503 (a page, or problem details under /api/), nothing is half-written, and
the next request works again once the database is back.

The first tests run on any database: Django's execute_wrapper hook makes the connection fail.
The PostgreSQL tests kill the request's real server process (pg_terminate_backend) between the
statements of a service, or refuse all connections to the throwaway test database for a while,
and drive the app through Django's real WSGI handler, which (unlike the test client) closes
broken connections at the end of each request, as production does.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from unittest import mock

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client
from django.test.client import RequestFactory

from cases.models import Case, CaseEvent, CaseEventKind, DirectorAssignment
from common.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, StaffFactory
from tests.zrm.factories import case_with_adult, record
from zrm.models import Measurement, MeasurementStatus, Score

TRANSFER_DATA = {"transfer-reason": "Verlof van de regisseur", "transfer-on": ""}


def database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


def fail_on(prefix: str):
    """An execute wrapper that fails the statements starting with `prefix` and lets the others through."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(prefix.upper()):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def assert_dutch_503_page(response):
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Wijkregie is tijdelijk niet beschikbaar" in html
    assert "helemaal of helemaal niet opgeslagen" in html
    assert '<html lang="nl">' in html and 'role="alert"' in html
    assert "OperationalError" not in html and "server closed" not in html


def assert_problem_503(response):
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["API-Version"]
    problem = json.loads(response.content)
    assert problem["status"] == 503 and problem["code"] == "database_unavailable"
    assert problem["title"] == "Wijkregie is tijdelijk niet beschikbaar."
    assert "niet bereikbaar" in problem["detail"]


# --- On any database -------------------------------------------------------------------------------

def signed_in(staff) -> Client:
    """A client that returns the response a browser would get: Django's test client otherwise re-raises an
    exception that a middleware raised, even when the response sent was a proper 503."""
    client = Client(raise_request_exception=False)
    client.force_login(staff.user)
    return client


@pytest.mark.django_db
def test_a_page_shows_a_dutch_503_when_the_database_is_unreachable(social_worker):
    CaseFactory(regisseur=social_worker)
    client = signed_in(social_worker)
    with connection.execute_wrapper(database_down):
        response = client.get("/casussen/mijn-caseload")
    assert_dutch_503_page(response)
    assert client.get("/casussen/mijn-caseload").status_code == 200


@pytest.mark.django_db
def test_the_503_page_also_comes_when_the_database_fails_while_loading_the_session(social_worker, settings):
    # With two-factor login on, the session is read in a middleware, before any view runs.
    settings.REQUIRE_2FA = True
    client = signed_in(social_worker)
    with connection.execute_wrapper(database_down):
        response = client.get("/casussen/mijn-caseload")
    assert_dutch_503_page(response)


@pytest.mark.django_db
def test_the_api_answers_503_problem_details_when_the_database_is_unreachable(social_worker):
    case = CaseFactory(regisseur=social_worker)
    client = signed_in(social_worker)
    with connection.execute_wrapper(database_down):
        response = client.get(f"/api/v1/casussen/{case.pk}/zrm-metingen")
    assert_problem_503(response)


@pytest.mark.django_db
def test_other_errors_are_not_disguised_as_a_database_outage(social_worker):
    client = signed_in(social_worker)
    def bug(execute, sql, params, many, context):
        raise ValueError("a programming error, not an outage")

    with connection.execute_wrapper(bug):
        response = client.get("/casussen/mijn-caseload")
    assert response.status_code == 500


@pytest.mark.django_db
def test_a_transfer_cut_off_halfway_saves_nothing(social_worker):
    case = CaseFactory(regisseur=social_worker)
    colleague = StaffFactory(team=case.team)
    client = signed_in(social_worker)
    data = {**TRANSFER_DATA, "transfer-regisseur": colleague.pk}
    # The assignment rows and the case are already written when the timeline insert fails.
    with connection.execute_wrapper(fail_on('INSERT INTO "cases_caseevent"')):
        response = client.post(f"/casussen/{case.pk}/regie-overdragen", data)
    assert_dutch_503_page(response)
    case.refresh_from_db()
    assert case.regisseur_id == social_worker.pk
    assert list(DirectorAssignment.objects.filter(case=case).values_list("regisseur_id", "ended_on")) == [
        (social_worker.pk, None)]
    assert not AuditEvent.objects.filter(case=case, action=AuditAction.UPDATE).exists()


# --- PostgreSQL: real connections killed and refused ------------------------------------------------

CSRF = "wijkregieReliabilityTestCsrf0123"  # 32 characters, like the secret Django keeps in the cookie


class WsgiResponse(dict):
    """What the server sent: the headers (a dict), .status_code and .content."""

    def __init__(self, status: int, headers: dict, body: bytes):
        super().__init__(headers)
        self.status_code, self.content = status, body


def through_wsgi(client: Client, method: str, path: str, data: dict | None = None) -> WsgiResponse:
    """Send one request through Django's production WSGI handler, as a browser with `client`'s cookies would.

    The response is closed afterwards, which fires
    request_finished and so Django's clean-up of broken or expired database connections.
    """
    factory = RequestFactory()
    factory.cookies = client.cookies
    factory.cookies["csrftoken"] = CSRF
    build = factory.post if method == "POST" else factory.get
    environ = build(path, data or {}, HTTP_X_CSRFTOKEN=CSRF).environ
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return WsgiResponse(seen["status"], seen["headers"], body)


def admin_connection():
    """A connection of our own to the cluster (the maintenance database), never to the app's."""
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)


def terminate_backend(pid: int) -> None:
    with admin_connection() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]


def kill_connection_then(real):
    """Wrap `real` so that the request's own database server process is killed just before it runs."""
    killed = []

    def wrapper(*args, **kwargs):
        if not killed:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            terminate_backend(pid)
            killed.append(pid)
        return real(*args, **kwargs)

    wrapper.killed = killed
    return wrapper


@contextmanager
def persistent_connections(max_age: int):
    """Run with CONN_MAX_AGE = max_age (0: a new connection per request; >0: connections are reused)."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = max_age
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = saved


@pytest.mark.parametrize("max_age", [0, 600], ids=["new-connection-per-request", "persistent-connections"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_connection_during_a_transfer_gives_a_503_page_writes_nothing_and_the_app_recovers(max_age):
    from cases import services
    from cases.services import cases as case_services  # transfer_director looks _event up here

    case = CaseFactory()
    worker = case.regisseur
    colleague = StaffFactory(team=case.team)
    client = Client()
    client.force_login(worker.user)
    url = f"/casussen/{case.pk}/regie-overdragen"
    data = {**TRANSFER_DATA, "transfer-regisseur": colleague.pk}

    with persistent_connections(max_age):
        killer = kill_connection_then(services._event)
        with mock.patch.object(case_services, "_event", killer):
            response = through_wsgi(client, "POST", url, data)
        assert killer.killed, "the connection was not killed: the test did not test anything"
        assert_dutch_503_page(response)

        # Nothing of the transfer was kept, although its first statements had run.
        case.refresh_from_db()
        assert case.regisseur_id == worker.pk
        assert list(DirectorAssignment.objects.filter(case=case).values_list("regisseur_id", "ended_on")) == [
            (worker.pk, None)]
        assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSFER).exists()
        assert not AuditEvent.objects.filter(case=case, action=AuditAction.UPDATE).exists()

        # The database is still there: the very next request works and the transfer goes through.
        response = through_wsgi(client, "POST", url, data)
        assert response.status_code == 302 and response["Location"] == f"/casussen/{case.pk}"
        case.refresh_from_db()
        assert case.regisseur_id == colleague.pk
        assert DirectorAssignment.objects.filter(case=case).count() == 2
        response = through_wsgi(client, "GET", f"/casussen/{case.pk}")
        assert response.status_code == 200 and "Regie overgedragen" in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killing_the_connection_while_finalising_through_the_api_gives_503_problem_details_and_writes_nothing():
    from zrm import derived

    case, adult = case_with_adult()
    draft = record(case, adult, finalise=False, scores={"financien": 2, "huisvesting": 4})
    scores_before = sorted(Score.objects.filter(measurement=draft).values_list("domain_id", "score", "not_scored_reason"))
    audit_before = AuditEvent.objects.count()
    client = Client()
    client.force_login(case.regisseur.user)
    url = f"/api/v1/zrm-metingen/{draft.pk}/vaststellen"

    # Killed after the open domains were filled in as niet gescoord, before the measurement is saved.
    killer = kill_connection_then(derived.derive)
    with mock.patch.object(derived, "derive", killer):
        response = through_wsgi(client, "POST", url)
    assert killer.killed
    assert_problem_503(response)

    draft.refresh_from_db()
    assert draft.status == MeasurementStatus.DRAFT and draft.finalised_at is None and draft.bucket == ""
    assert sorted(Score.objects.filter(measurement=draft).values_list(
        "domain_id", "score", "not_scored_reason")) == scores_before
    assert AuditEvent.objects.count() == audit_before

    response = through_wsgi(client, "POST", url)
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["status"] == MeasurementStatus.FINAL
    assert Measurement.objects.get(pk=draft.pk).status == MeasurementStatus.FINAL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_while_the_database_refuses_connections_pages_and_api_answer_503_and_work_again_when_it_returns():
    case = CaseFactory()
    client = Client()
    client.force_login(case.regisseur.user)
    test_db = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]

    with admin_connection() as admin:
        admin.execute(f'ALTER DATABASE "{test_db}" WITH ALLOW_CONNECTIONS false')
        try:
            # Every session of the (throwaway) test database ends, like a database server going down.
            terminated = admin.execute(
                "SELECT pid, pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()", [test_db]).fetchall()
            assert (own_pid, True) in terminated

            assert_dutch_503_page(through_wsgi(client, "GET", "/casussen/mijn-caseload"))
            assert_problem_503(through_wsgi(client, "GET", f"/api/v1/casussen/{case.pk}/zrm-metingen"))
        finally:
            admin.execute(f'ALTER DATABASE "{test_db}" WITH ALLOW_CONNECTIONS true')

    assert through_wsgi(client, "GET", "/casussen/mijn-caseload").status_code == 200
    response = through_wsgi(client, "GET", f"/api/v1/casussen/{case.pk}/zrm-metingen")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert Case.objects.filter(pk=case.pk).exists()
