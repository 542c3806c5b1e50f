"""Production logs name paths without query strings (issue 15, finding 7b): gunicorn logged the full request line
(`GET /casussen/?q=Kuiper HTTP/1.1`), and the Referer with it; Django's development-server log did the same."""
import datetime as dt
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SECRET = "q=Kuiper&bsn=293270739"


@pytest.fixture
def gunicorn_logger(tmp_path):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    namespace = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    cfg = Config()
    for key, value in namespace.items():
        if key in cfg.settings:
            cfg.set(key, value)
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = Logger(cfg)
    cfg.post_worker_init(SimpleNamespace(log=logger))
    yield logger, tmp_path
    for log in (logger.error_log, logger.access_log):
        log.filters.clear()


def test_the_gunicorn_access_log_names_the_path_without_query_string_or_referer(gunicorn_logger):
    logger, tmp_path = gunicorn_logger
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/casussen/mijn-caseload?{SECRET}", "PATH_INFO": "/casussen/mijn-caseload",
        "QUERY_STRING": SECRET, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.10",
        "HTTP_REFERER": f"https://wijkregie.example.nl/beheer/?{SECRET}", "HTTP_USER_AGENT": "pytest",
    }
    logger.access(SimpleNamespace(status="400 Bad Request", sent=12, headers=[]), SimpleNamespace(headers=[]),
                  environ, dt.timedelta(milliseconds=7))
    line = (tmp_path / "access.log").read_text()
    assert '"GET /casussen/mijn-caseload HTTP/1.1" 400' in line
    assert "Kuiper" not in line and "293270739" not in line and "?" not in line


def test_the_gunicorn_error_log_strips_query_strings_from_invalid_request_lines(gunicorn_logger):
    logger, tmp_path = gunicorn_logger
    logger.warning("Invalid request from ip=192.0.2.10: Invalid HTTP request line: 'GET /x?%s HTTP/1.1'", SECRET)
    text = (tmp_path / "error.log").read_text()
    assert "/x" in text and "Kuiper" not in text and "293270739" not in text


def test_production_runs_gunicorn_with_that_configuration():
    assert '"--config=config/gunicorn.py"' in (ROOT / "Dockerfile").read_text()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "--config=config/gunicorn.py" in compose["services"]["web"]["command"]
    format_ = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))["access_log_format"]
    assert "%(U)s" in format_
    assert not [atom for atom in ("%(r)s", "%(q)s", "%(f)s", "{referer}i") if atom in format_]


def _handlers_reached(logger: logging.Logger):
    """The handlers a record logged on this logger reaches (pytest's capture handlers left out)."""
    while logger is not None:
        for handler in logger.handlers:
            if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler):
                yield handler
        logger = logger.parent if logger.propagate else None


@pytest.mark.parametrize("name", ["django.server", "django.request", "django", "wijkregie.database", "celery"])
def test_django_log_lines_never_carry_a_query_string(name):
    logger = logging.getLogger(name)
    handlers = list(_handlers_reached(logger))
    assert handlers, f"{name} reaches no handler"
    for handler in handlers:
        # The development server's request log: '"%s" %s %s' % (request line, status, size).
        record = logger.makeRecord(name, logging.WARNING, __file__, 1, '"%s" %s %s',
                                   (f"GET /casussen/mijn-caseload?{SECRET} HTTP/1.1", "400", "12"), None)
        if handler.filter(record):
            line = handler.format(record)
            assert '"GET /casussen/mijn-caseload HTTP/1.1" 400 12' in line
            assert "Kuiper" not in line and "293270739" not in line


@pytest.mark.parametrize(("text", "expected"), [
    ("GET /a/b?x=1 HTTP/1.1", "GET /a/b HTTP/1.1"),
    ("Referer https://example.nl/p?q=Kuiper#top", "Referer https://example.nl/p#top"),
    ("Waarom? Omdat.", "Waarom? Omdat."),
])
def test_the_filter_strips_only_query_strings(text, expected):
    from common.log_filters import strip_query_strings

    assert strip_query_strings(text) == expected
