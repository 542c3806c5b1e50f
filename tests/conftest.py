"""Shared fixtures. The header and the summary say which database and Celery mode ran."""
import os

import pytest
from django.conf import settings


def _database_label() -> str:
    db = settings.DATABASES["default"]
    embedded = "embedded " if db.get("HOST", "").startswith("/") and ".pgdata" in db.get("HOST", "") else ""
    return f"{embedded}PostgreSQL ({db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')})"


def _celery_label() -> str:
    if os.environ.get("REDIS_URL"):
        return "eager in-process for unit tests; real worker on Redis for tests marked celery_worker"
    return "eager in-process (REDIS_URL unset: the tests that start a real worker are skipped)"


def pytest_report_header(config):
    return [f"Wijkregie database: {_database_label()}", f"Wijkregie Celery: {_celery_label()}"]


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"Wijkregie ran on database {_database_label()}; Celery: {_celery_label()}")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REDIS_URL"):
        return
    for item in items:
        if "celery_worker" in item.keywords:
            item.add_marker(pytest.mark.skip(
                reason="needs REDIS_URL: a real worker process needs a broker (set REDIS_URL=redis://...)"))


@pytest.fixture(scope="session", autouse=True)
def _flush_the_insert_only_audit_tables():
    """Transactional tests end with `flush`, a TRUNCATE of every table, which the audit log refuses
    (common/migrations/0002). The test database is flushed as only a superuser could: triggers off."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = flush


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


@pytest.fixture(autouse=True)
def _no_throttle_counts_from_earlier_tests():
    """API throttle counters live in the cache (in-process memory under the test settings): none carry over."""
    from django.core.cache import cache

    cache.clear()
