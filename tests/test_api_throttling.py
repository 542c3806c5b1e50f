"""Every API caller is throttled (issue 15, finding 9): staff sessions calling the API and invalid tokens were not."""
import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from common.services import create_api_client
from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"


@pytest.fixture
def small_rates(monkeypatch):
    # DRF binds the rates when it is imported; the tests set small ones on the throttles themselves.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {"api_client": "1000/min", "staff_session": "3/min", "invalid_token": "3/hour"})


def test_a_staff_session_calling_the_api_is_throttled(small_rates):
    case = CaseFactory()
    url = f"/api/v1/casussen/{case.pk}/zrm-metingen"
    client = APIClient()
    client.force_login(case.regisseur.user)
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    throttled = client.get(url)
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == "application/problem+json" and int(throttled["Retry-After"]) > 0
    colleague = APIClient()
    colleague.force_login(StaffFactory(team=case.team).user)
    assert colleague.get(url).status_code == 200  # per staff member, not for everyone


def _with_token(token, ip=ATTACKER, **extra):
    client = APIClient(REMOTE_ADDR=ip, **extra)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_invalid_tokens_count_against_the_source_address(small_rates):
    _, token = create_api_client(name="Dashboard", scopes=["aggregaten.lezen"])
    url = "/api/v1/aggregaten?scopeKind=all&periodKind=quarter&periodStart=2026-01-01"
    assert _with_token(token).get(url).status_code == 200
    guesses = [_with_token(f"geraden-{n:032d}").get(url).status_code for n in range(3)]
    assert guesses == [401, 401, 401]
    blocked = _with_token("nog-een-gok-" + "x" * 30).get(url)
    assert blocked.status_code == 429 and blocked["Content-Type"] == "application/problem+json"
    assert int(blocked["Retry-After"]) > 0
    # Over the limit no token is looked at, a right one neither (else the 429 would not stop the guessing).
    assert _with_token(token).get(url).status_code == 429
    assert _with_token(token, HTTP_X_FORWARDED_FOR="198.51.100.1").get(url).status_code == 429  # not spoofable
    assert _with_token(token, ip="198.51.100.1").get(url).status_code == 200  # other addresses are not hit


def test_a_malformed_authorization_header_counts_too(small_rates):
    client = APIClient(REMOTE_ADDR=ATTACKER, HTTP_AUTHORIZATION="Bearer twee delen")
    assert [client.get("/api/v1/aggregaten").status_code for _ in range(4)] == [401, 401, 401, 429]
