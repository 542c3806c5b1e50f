"""Shared fixtures. The header and the summary say which database and Celery mode ran."""
import os

import pytest
from django.conf import settings
from django.db import connection


def _database_label() -> str:
    db = settings.DATABASES["default"]
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} ({db.get('HOST') or 'file'})"


def _celery_label() -> str:
    if os.environ.get("REDIS_URL"):
        return "eager in-process for unit tests; real worker on Redis for tests marked celery_worker"
    return "eager in-process (REDIS_URL unset: worker tests are skipped)"


def pytest_report_header(config):
    return [f"Wijkregie database: {_database_label()}", f"Wijkregie Celery: {_celery_label()}"]


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"Wijkregie ran on database {_database_label()}; Celery: {_celery_label()}")


def pytest_collection_modifyitems(config, items):
    is_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None and not is_postgres:
            why = marker.args[0] if marker.args else "database-level constraints and triggers"
            item.add_marker(pytest.mark.skip(
                reason=f"needs PostgreSQL ({why}); set DATABASE_URL to a PostgreSQL database"))
        if "celery_worker" in item.keywords and not (is_postgres and has_redis):
            item.add_marker(pytest.mark.skip(
                reason="needs PostgreSQL and REDIS_URL: a worker process cannot share the in-memory SQLite "
                       "test database or reach an in-process broker"))


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def social_worker(db):
    from tests.factories import StaffFactory

    return StaffFactory()


@pytest.fixture
def team_leader(db, social_worker):
    from tests.factories import StaffFactory

    return StaffFactory(leader=True, team=social_worker.team)


@pytest.fixture
def actor(social_worker):
    from common.audit import Actor

    return Actor(user=social_worker.user)


@pytest.fixture
def login(client):
    """login(staff) -> a Django test client signed in as that staff member's user."""

    def _login(staff):
        client.force_login(staff.user)
        return client

    return _login
