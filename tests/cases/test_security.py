"""Access hardening: two-factor login, lockout, sessions, security headers, production checks."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.audit import Actor
from common.enrolment import issue_enrolment_code
from tests.factories import StaffFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    # A failed attempt throttles the device for a second; the tests do not wait for that.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@override_settings(REQUIRE_2FA=True)
def test_first_login_sets_up_an_authenticator_before_any_page(client):
    staff = StaffFactory()
    client.force_login(staff.user)
    response = client.get("/casussen/mijn-caseload")
    assert response.status_code == 302 and response["Location"].startswith("/tweestapsverificatie/instellen")
    # First the one-time code a beheerder issued (tests/test_enrolment_code.py), then the QR code.
    code = issue_enrolment_code(user=staff.user, issued_by=None, actor=Actor(user=None, client="test"))
    assert client.post("/tweestapsverificatie/instellen", {"enrolment_code": code}).status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    wrong = client.post("/tweestapsverificatie/instellen", {"token": "000000", "next": "/casussen/mijn-caseload"})
    assert "klopt niet" in wrong.content.decode() or current_code(device) == "000000"
    done = client.post("/tweestapsverificatie/instellen",
                       {"token": current_code(device), "next": "/casussen/mijn-caseload"})
    assert done.status_code == 302 and done["Location"] == "/casussen/mijn-caseload"
    assert client.get("/casussen/mijn-caseload").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


@override_settings(REQUIRE_2FA=True)
def test_every_later_login_asks_for_a_code_and_refuses_a_wrong_one(client):
    staff = StaffFactory()
    device = TOTPDevice.objects.create(user=staff.user, name="app", confirmed=True)
    client.force_login(staff.user)
    response = client.get("/casussen/mijn-caseload")
    assert response["Location"].startswith("/tweestapsverificatie?")
    bad = "111111" if current_code(device) != "111111" else "222222"
    refused = client.post("/tweestapsverificatie", {"token": bad})
    assert refused.status_code == 200 and "klopt niet" in refused.content.decode()
    assert client.get("/casussen/mijn-caseload").status_code == 302
    client.post("/tweestapsverificatie", {"token": current_code(device)})
    assert client.get("/casussen/mijn-caseload").status_code == 200


@override_settings(REQUIRE_2FA=True)
def test_the_api_refuses_a_session_without_the_second_factor(client):
    staff = StaffFactory()
    client.force_login(staff.user)
    response = client.get("/api/v1/casussen/1/zrm-metingen")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


@override_settings(REQUIRE_2FA=True)
def test_the_admin_is_behind_the_second_factor_too(client):
    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    assert client.get("/beheer/")["Location"].startswith("/tweestapsverificatie")


def test_production_forces_two_factor_on():
    source = (ROOT / "config/settings/production.py").read_text()
    assert "REQUIRE_2FA = True" in source


def test_repeated_failed_logins_lock_the_account(client):
    staff = StaffFactory()
    for _ in range(5):
        response = client.post("/inloggen", {"username": staff.user.username, "password": "fout-wachtwoord"})
        assert response.status_code in (200, 429)
    locked = client.post("/inloggen", {"username": staff.user.username, "password": "geheim-wachtwoord-123"})
    assert locked.status_code == 429
    assert "tijdelijk geblokkeerd" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_login_after_a_few_failures_still_works(client):
    staff = StaffFactory()
    for _ in range(2):
        client.post("/inloggen", {"username": staff.user.username, "password": "fout-wachtwoord"})
    response = client.post("/inloggen", {"username": staff.user.username, "password": "geheim-wachtwoord-123"})
    assert response.status_code == 302


def test_sessions_expire_after_30_idle_minutes_and_at_browser_close(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    staff = StaffFactory()
    response = client.post("/inloggen", {"username": staff.user.username, "password": "geheim-wachtwoord-123"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["expires"]


def test_pages_carry_csp_and_other_security_headers(client):
    response = client.get("/inloggen")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("password", ["kort", "123456789012", "password1234"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_manage_check_deploy_is_clean_in_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "BSN_ENCRYPTION_KEYS": "uNbb1SwoS2Zf4Sd5AycLjcPgw3fFLlzRlrZTeqU1qJ8=",
        "BSN_HASH_KEY": secrets.token_urlsafe(32),
        "AUDIT_CHAIN_KEYS": "k1:" + secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "wijkregie.example.nl",
        "DATABASE_URL": "postgres://wijkregie@db.invalid:5432/wijkregie",  # never connected: checks only
    }
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in a deployment
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
