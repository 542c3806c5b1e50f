"""docker-compose.yml cannot run on these machines; this checks that what it declares exists.

Every service's command must name an entry point that exists in this code base (the gunicorn
WSGI callable, the Celery app behind `-A config`, manage.py commands), the settings module in
the environment must exist, and web, worker, beat, postgres and redis must be declared with the
environment variables the settings read.
"""
import importlib
import sys
import importlib.metadata
import re
import warnings
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat", "migrate")
REQUIRED_ENV = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _interpolate(value: str) -> str:
    """Resolve compose's ${VAR}, ${VAR:-default} and ${VAR:?error} the way an operator's .env would."""
    def replace(match):
        name, _, rest = match.group(1).partition(":")
        if rest.startswith("-"):
            return rest[1:]
        return f"value-of-{name.lower()}"

    return re.sub(r"\$\{([^}]+)\}", replace, str(value))


def _command(service: dict) -> list[str]:
    command = service.get("command")
    assert isinstance(command, list) and command, "commands are written in exec form (a list)"
    return [_interpolate(part) for part in command]


def _console_script_exists(name: str) -> bool:
    return any(ep.name == name for ep in importlib.metadata.entry_points(group="console_scripts"))


def _settings_env_names() -> set[str]:
    """Names read from the environment by config/settings/*.py."""
    source = "\n".join(path.read_text() for path in (ROOT / "config" / "settings").glob("*.py"))
    pattern = r"""(?:os\.environ\.get|os\.environ\[|env_int|env_bool|env_list)\(?\s*["']([A-Z][A-Z0-9_]+)["']"""
    return set(re.findall(pattern, source))


def test_production_stack_declares_web_worker_beat_postgres_and_redis(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    for name in APP_SERVICES:
        assert services[name]["build"] == "." and (ROOT / "Dockerfile").exists()


def test_app_services_share_the_same_environment(compose):
    environments = [compose["services"][name]["environment"] for name in APP_SERVICES]
    for name, environment in zip(APP_SERVICES, environments):
        missing = [key for key in REQUIRED_ENV if key not in environment]
        assert not missing, f"{name} lacks {missing}"
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert all(environment == environments[0] for environment in environments)


def test_every_environment_variable_is_one_the_settings_read(compose):
    read = _settings_env_names() | {"DJANGO_SETTINGS_MODULE"}
    for name in APP_SERVICES:
        unknown = set(compose["services"][name]["environment"]) - read
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"


def test_database_and_redis_urls_point_at_the_compose_services(compose):
    environment = compose["services"]["web"]["environment"]
    postgres = compose["services"]["postgres"]["environment"]
    database = urlparse(_interpolate(environment["DATABASE_URL"]))
    assert database.scheme == "postgres" and database.hostname == "postgres"
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert database.username == postgres["POSTGRES_USER"]
    assert _interpolate(database.password) == _interpolate(postgres["POSTGRES_PASSWORD"])
    redis = urlparse(_interpolate(environment["REDIS_URL"]))
    assert redis.scheme == "redis" and redis.hostname == "redis"


def test_settings_module_named_in_the_environment_exists(compose, monkeypatch):
    module_name = compose["services"]["web"]["environment"]["DJANGO_SETTINGS_MODULE"]
    monkeypatch.setenv("SECRET_KEY", "compose-test")
    base = importlib.import_module("config.settings.base")  # already imported: patch what it read from the env
    monkeypatch.setattr(base, "BSN_ENCRYPTION_KEYS", ["compose-test-key"])
    monkeypatch.setattr(base, "BSN_HASH_KEY", "compose-test-hash-key")
    monkeypatch.setattr(base, "AUDIT_CHAIN_KEYS", ["compose:" + "k" * 40])
    sys.modules.pop(module_name, None)
    settings_module = importlib.import_module(module_name)
    assert settings_module.DEBUG is False
    assert settings_module.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_web_runs_gunicorn_on_the_wsgi_application(compose):
    command = _command(compose["services"]["web"])
    assert command[0] == "gunicorn" and _console_script_exists("gunicorn")
    target = next(part for part in command[1:] if not part.startswith("-"))
    module_name, _, attribute = target.partition(":")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
        module = importlib.import_module(module_name)
    application = getattr(module, attribute)
    assert callable(application)
    assert module_name == "config.wsgi" and attribute == "application"


@pytest.mark.parametrize(("service", "subcommand"), [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_celery_app_of_config(compose, service, subcommand):
    from celery.app.utils import find_app
    from celery.bin.celery import celery as celery_cli

    from config.celery import app

    command = _command(compose["services"][service])
    assert command[0] == "celery" and _console_script_exists("celery")
    app_name = command[command.index("-A") + 1]
    assert find_app(app_name) is app
    assert subcommand in command and subcommand in celery_cli.commands


def test_worker_healthcheck_uses_an_existing_celery_command(compose):
    from celery.bin.celery import celery as celery_cli

    test = compose["services"]["worker"]["healthcheck"]["test"]
    words = test[1].split() if test[0] == "CMD-SHELL" else test[1:]
    assert words[:3] == ["celery", "-A", "config"] and words[3] in celery_cli.commands


def test_manage_py_commands_named_exist(compose):
    from django.core.management import get_commands

    commands = get_commands()
    named = []
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if "manage.py" in command:
            named.append(command[command.index("manage.py") + 1])
    assert "migrate" in named
    for command in named:
        assert command in commands, command


def test_web_worker_and_beat_wait_for_migrations_and_healthy_services(compose):
    for name in ("web", "worker", "beat"):
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    assert compose["services"]["migrate"]["restart"] == "no"


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} uses undeclared volume {source}"


def test_dockerfile_installs_requirements_and_assets_and_collects_static():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "npm ci" in dockerfile and "package-lock.json" in dockerfile
    assert "manage.py collectstatic" in dockerfile


def test_every_environment_variable_the_settings_read_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in _settings_env_names() if f"`{name}`" not in readme)
    assert not undocumented, f"README.md does not document {undocumented}"
