"""A first authenticator app needs a beheerder's one-time code (issue 15, finding 9): an account without an enrolled
authenticator could be enrolled by anyone with its password, who then held both factors."""
import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

SETUP = "/tweestapsverificatie/instellen"
QR = b"data:image/svg+xml;base64,"
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _code_for(device: TOTPDevice) -> str:
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(beheerder_client, user) -> str:
    """The beheerder's admin action on the user list; the code is read from the page, the only place it shows."""
    with override_settings(REQUIRE_2FA=False):  # the beheerder's own second factor is not what is tested here
        page = beheerder_client.post("/beheer/auth/user/",
                                     {"action": "issue_enrolment_codes", "_selected_action": [user.pk]})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    return CODE.search(page.content.decode()).group(0)


@pytest.fixture
def beheerder():
    return _signed_in(StaffFactory(administrator=True).user)


@override_settings(REQUIRE_2FA=True)
def test_enrolment_without_a_code_is_refused():
    """The attack: password known, no authenticator yet -> link one's own app. Now no QR code, no secret."""
    victim = StaffFactory()
    attacker = _signed_in(victim.user)
    start = attacker.get("/casussen/mijn-caseload")
    assert start["Location"].startswith(SETUP)
    page = attacker.get(start["Location"])
    assert page.status_code == 200 and QR not in page.content and b"inschrijfcode" in page.content.lower()
    assert not TOTPDevice.objects.filter(user=victim.user).exists()  # no secret was even generated
    wrong = attacker.post(SETUP, {"enrolment_code": "ABCD-EFGH-JKMN"})
    assert QR not in wrong.content and "klopt niet" in wrong.content.decode()
    skipped = attacker.post(SETUP, {"token": "123456"})  # straight to the second step
    assert QR not in skipped.content and not TOTPDevice.objects.filter(user=victim.user).exists()
    assert attacker.get("/casussen/mijn-caseload").status_code == 302


@override_settings(REQUIRE_2FA=True)
def test_a_valid_code_works_once_for_its_own_account(beheerder):
    staff, other = StaffFactory(), StaffFactory()
    code = _issue(beheerder, staff.user)
    assert _signed_in(other.user).post(SETUP, {"enrolment_code": code}).status_code == 200  # not someone else's

    owner = _signed_in(staff.user)
    accepted = owner.post(SETUP, {"enrolment_code": code.lower().replace("-", " "), "next": "/casussen/mijn-caseload"})
    assert accepted.status_code == 302 and accepted["Location"].startswith(SETUP)
    page = owner.get(accepted["Location"])
    assert QR in page.content
    device = TOTPDevice.objects.get(user=staff.user, confirmed=False)
    done = owner.post(SETUP, {"token": _code_for(device), "next": "/casussen/mijn-caseload"})
    assert done["Location"] == "/casussen/mijn-caseload"
    assert owner.get("/casussen/mijn-caseload").status_code == 200

    again = _signed_in(staff.user).post(SETUP, {"enrolment_code": code})  # a second session, the same code
    assert again.status_code == 302 and again["Location"] == "/tweestapsverificatie"  # enrolled: code, not setup


@override_settings(REQUIRE_2FA=True)
def test_a_used_code_is_refused(beheerder):
    staff = StaffFactory()
    code = _issue(beheerder, staff.user)
    assert _signed_in(staff.user).post(SETUP, {"enrolment_code": code}).status_code == 302
    second = _signed_in(staff.user).post(SETUP, {"enrolment_code": code})  # e.g. whoever else read the code
    assert second.status_code == 200 and QR not in second.content and "al gebruikt" in second.content.decode()


@override_settings(REQUIRE_2FA=True)
def test_an_expired_code_is_refused(beheerder):
    from common.models import EnrolmentCode

    staff = StaffFactory()
    code = _issue(beheerder, staff.user)
    EnrolmentCode.objects.filter(user=staff.user).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    refused = _signed_in(staff.user).post(SETUP, {"enrolment_code": code})
    assert refused.status_code == 200 and QR not in refused.content


@override_settings(REQUIRE_2FA=True)
def test_a_new_code_voids_the_earlier_one(beheerder):
    staff = StaffFactory()
    first = _issue(beheerder, staff.user)
    second = _issue(beheerder, staff.user)
    assert _signed_in(staff.user).post(SETUP, {"enrolment_code": first}).status_code == 200
    assert _signed_in(staff.user).post(SETUP, {"enrolment_code": second}).status_code == 302


def test_the_code_is_stored_only_as_a_keyed_hash_and_issuing_is_audited(beheerder):
    from common.models import AuditEvent, EnrolmentCode

    staff = StaffFactory()
    code = _issue(beheerder, staff.user)
    row = EnrolmentCode.objects.values().get(user=staff.user)
    assert not any(code in str(value) or code.replace("-", "") in str(value) for value in row.values())
    assert row["expires_at"] - row["created_at"] <= dt.timedelta(hours=24, minutes=1)
    assert AuditEvent.objects.filter(object_type="inschrijfcode", object_id=str(staff.user.pk)).exists()


def test_a_beheerder_cannot_issue_a_code_for_their_own_account():
    me = StaffFactory(administrator=True)
    client = _signed_in(me.user)
    page = client.post("/beheer/auth/user/", {"action": "issue_enrolment_codes", "_selected_action": [me.user.pk]})
    assert CODE.search(page.content.decode()) is None and "eigen account" in page.content.decode()


def test_the_management_command_issues_a_code_for_the_first_beheerder():
    first = StaffFactory(administrator=True)
    out = StringIO()
    call_command("issue_enrolment_code", first.user.username, stdout=out)
    code = CODE.search(out.getvalue()).group(0)
    with override_settings(REQUIRE_2FA=True):
        assert _signed_in(first.user).post(SETUP, {"enrolment_code": code}).status_code == 302


def test_demo_logins_says_how_a_demo_account_gets_its_enrolment_code():
    from demo import small

    StaffFactory(user__email=f"demo@{small.DEMO_EMAIL_DOMAIN}")
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "inschrijfcode" in out.getvalue() and "issue_enrolment_code" in out.getvalue()
