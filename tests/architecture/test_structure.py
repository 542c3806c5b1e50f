"""The structure holds: layers one way (import contracts), migrations in step with the models, small modules."""
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
APPS = ("common", "cases", "zrm", "reporting", "demo", "config")
MAX_LINES = 600


def test_lower_layers_never_import_higher_ones():
    """lint-imports checks the contracts in .importlinter (layers and independence, no ignored imports)."""
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_ignore_no_import():
    config = (ROOT / ".importlinter").read_text()
    assert "ignore_imports" not in config
    assert "type = layers" in config and "type = independence" in config


@pytest.mark.django_db
def test_the_migrations_match_the_models_and_their_triggers():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


def test_no_module_outside_migrations_is_over_600_lines():
    too_long = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert not too_long, too_long


def test_no_database_vendor_branch_or_sqlite_path_in_application_code():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            if "connection.vendor" in text or "sqlite" in text.lower():
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders
