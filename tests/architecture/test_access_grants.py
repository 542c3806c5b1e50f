"""Issue 15, finding 2: access to personal data is written in one place each, behind four eyes.

A staff membership is created or re-pointed only by the approval of a request (cases/services/staff.py) or
by the demo loaders; an API client is created only by common/services.py (the operator's command, clients
without personal data, and the approval). A new screen that writes them directly fails here.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("common", "cases", "zrm", "reporting", "config")
WRITES = re.compile(r"(StaffMembership|ApiClient)\.objects\.(create|bulk_create|get_or_create|update_or_create)\b"
                    r"|StaffMembership\.objects\.filter\([^)]*\)\.update\(")
ALLOWED = {"cases/services/staff.py", "common/services.py"}


def test_memberships_and_api_clients_are_written_only_behind_four_eyes():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if WRITES.search(line):
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def _arguments(text: str, opening: int) -> str:
    """The text of a call's arguments, from its opening parenthesis to the matching closing one."""
    depth = 0
    for index in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[opening:index + 1]
    return text[opening:]


def test_every_direct_api_client_write_in_the_application_names_its_actor():
    """create_api_client and rotate_api_client_token audit the change when given the actor: every caller does."""
    calls = re.compile(r"(?<!def )\b(create_api_client|rotate_api_client_token)\(")
    missing = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            for match in calls.finditer(text):
                if "actor=" not in _arguments(text, match.end() - 1):
                    missing.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert missing == []


def test_a_person_never_creates_a_personal_data_client_directly(db):
    import pytest
    from django.core.exceptions import ValidationError

    from common.audit import Actor
    from common.services import create_api_client
    from tests.factories import StaffFactory, TeamFactory

    person = Actor(user=StaffFactory(administrator=True).user)
    with pytest.raises(ValidationError):
        create_api_client(name="K", scopes=["registratie.lezen"], teams=[TeamFactory()], actor=person)
    client, _ = create_api_client(name="CBS", scopes=["aggregaten.lezen"], actor=person)
    assert client.scopes == ["aggregaten.lezen"]
