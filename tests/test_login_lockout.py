"""Login lockout per account, not per address (issue 15, finding 9): five bad logins for one user locked the whole
IP address for every user behind it (a municipality's staff share one gateway address)."""
import pytest

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

GATEWAY = "192.0.2.50"
PASSWORD = "geheim-wachtwoord-123"


def _login(client, username, password, ip=GATEWAY):
    return client.post("/inloggen", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_locked_account_does_not_lock_its_colleagues_behind_the_same_address(client):
    victim, colleague = StaffFactory(), StaffFactory()
    for _ in range(5):
        _login(client, victim.user.username, "fout-wachtwoord")
    assert _login(client, victim.user.username, PASSWORD).status_code == 429
    response = _login(client, colleague.user.username, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(colleague.user.pk)


def test_the_locked_account_stays_locked_from_another_address(client):
    victim = StaffFactory()
    for _ in range(5):
        _login(client, victim.user.username, "fout-wachtwoord")
    assert _login(client, victim.user.username, PASSWORD, ip="198.51.100.7").status_code == 429


def test_the_lockout_is_per_username_and_per_username_and_address(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", ["username", "ip_address"]]
