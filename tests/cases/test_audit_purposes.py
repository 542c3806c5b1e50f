"""Issue 15, finding 3: no free text in the permanent audit log.

A break-the-glass reason ("... BSN 293270739 heeft verslavingsproblematiek") was stored word for word as the
audit purpose and shown to the beheerder in the admin; retention can never remove it there. Now the audit
purpose is a code from AuditPurpose (refused otherwise by common.audit and by a database check constraint),
the audit row names the record that holds the text (BreakGlassAccess, ResearchRequest), and that text stays
with the case under retention, readable by the team leaders and the privacy officer.
"""
import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from cases import retention, services
from cases.models import BreakGlassAccess, CaseStatus, Role
from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditEvent, AuditPurpose
from common.services import create_api_client
from reporting.models import ResearchRequest
from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, closure_reason, valid_bsn
from tests.zrm.factories import all_scores, case_with_adult, record

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SECRET_BSN = "293270739"
REASON = f"Moeder belt: zoon met BSN {SECRET_BSN} heeft verslavingsproblematiek"
RESEARCH_PURPOSE = "Onderzoek naar gezin Kuiper, Dorpsstraat 3"
CONSENT_TEXT = "Mag met de huisarts van Kuiper overleggen"
BEMOEIZORG = "Kuiper mijdt zorg sinds de uithuiszetting"
TYPED = (SECRET_BSN, "verslavingsproblematiek", "Kuiper", "Dorpsstraat")
TEXT_COLUMNS = ("purpose", "object_type", "object_id", "client", "on_behalf_of")


@pytest.fixture
def world(db):
    director = StaffFactory(team__name="Wijkteam Noord", home_organisation=OrganisationFactory(name="GGZ Noord"))
    leader_noord = StaffFactory(leader=True, team=director.team)
    outsider = StaffFactory(team__name="Wijkteam Zuid", home_organisation=OrganisationFactory(name="Welzijn"))
    leader_zuid = StaffFactory(leader=True, team=outsider.team)
    case, adult = case_with_adult(regisseur=director, melding_date=dt.date.today() - dt.timedelta(days=60))
    return {"case": case, "adult": adult, "director": director, "leader_noord": leader_noord,
            "outsider": outsider, "leader_zuid": leader_zuid}


def audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values_list(*TEXT_COLUMNS)))


def assert_no_free_text_in_the_audit_log():
    assert not AuditEvent.objects.exclude(purpose__in=AuditPurpose.values).exists()
    logged = audit_text()
    for text in TYPED:
        assert text not in logged, text


# --- The attack: a break-the-glass reason --------------------------------------------------------------------

def test_a_break_the_glass_reason_stays_out_of_the_audit_log_and_the_admin(client, world):
    case = world["case"]
    client.force_login(world["outsider"].user)
    assert client.post(reverse("cases:break_glass", args=[case.pk]), {"reason": REASON}).status_code == 302
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200  # reads under the access
    access = BreakGlassAccess.objects.get()
    assert access.reason == REASON  # kept with the case
    row = AuditEvent.objects.get(object_type="breakglassaccess")
    assert (row.object_id, row.case_id, row.purpose) == (str(access.pk), case.pk, AuditPurpose.BREAK_GLASS)
    assert_no_free_text_in_the_audit_log()

    beheerder = StaffFactory(administrator=True)
    client.force_login(beheerder.user)
    changelist = client.get("/beheer/common/auditevent/")
    assert changelist.status_code == 200
    listed = changelist.content.decode()
    assert SECRET_BSN not in listed and "verslavingsproblematiek" not in listed
    detail = client.get(reverse("admin:common_auditevent_change", args=[row.pk])).content.decode()
    assert SECRET_BSN not in detail and "break-the-glass" in detail


def test_the_reason_is_read_by_both_team_leaders_and_the_privacy_officer(client, world):
    services.break_the_glass(actor=Actor(user=world["outsider"].user), case=world["case"], reason=REASON)
    for leader in (world["leader_noord"], world["leader_zuid"]):
        client.force_login(leader.user)
        assert REASON in client.get(reverse("cases:break_glass_log")).content.decode()
    officer = StaffFactory(role=Role.PRIVACY_OFFICER, team=None)
    content, _ = services.export_subject_access(actor=Actor(user=officer.user), person=world["adult"], fmt="json")
    data = json.loads(content)
    assert [a["reason"] for a in data["break_the_glass"]] == [REASON]
    assert {e["purpose"] for e in data["access_log"]} <= set(AuditPurpose.values)
    assert_no_free_text_in_the_audit_log()


def test_retention_removes_the_reason_with_the_case_and_keeps_who_and_when(world):
    case = world["case"]
    access = services.break_the_glass(actor=Actor(user=world["outsider"].user), case=case, reason=REASON)
    closed_on = dt.date.today() - dt.timedelta(days=10)
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed_on,
                                                 closure_reason=closure_reason())
    report = retention.apply_retention(today=closed_on.replace(year=closed_on.year + 16))
    assert report.households == 1
    access.refresh_from_db()
    assert access.reason == retention.REMOVED
    assert (access.user, access.case_id) == (world["outsider"].user, case.pk)
    assert_no_free_text_in_the_audit_log()


# --- The mechanism: only codes, in the service and in the database --------------------------------------------

def test_the_audit_functions_refuse_a_purpose_outside_the_code_list(world):
    actor, case = Actor(user=world["director"].user), world["case"]
    before = AuditEvent.objects.count()
    free_text = f"break-the-glass: {REASON}"
    with pytest.raises(ValueError) as refused:
        audit.record(actor, AuditAction.READ, case, case=case, purpose=free_text)
    assert SECRET_BSN not in str(refused.value)  # not even the error message repeats it
    with pytest.raises(ValueError):
        audit.record_many(actor, AuditAction.READ, [(case, None, case)], purpose=free_text)
    with pytest.raises(ValueError):
        audit.record_many(actor, AuditAction.READ, [(case, None, case)], purpose=free_text, bulk=True)
    with pytest.raises(ValueError):
        audit.record_call(actor, AuditAction.EXPORT, "onderzoeksbestand", purpose=RESEARCH_PURPOSE)
    assert AuditEvent.objects.count() == before


def test_the_database_refuses_a_purpose_outside_the_code_list_on_every_insert_path(world):
    case = world["case"]
    event = AuditEvent(action=AuditAction.READ, object_type="case", object_id=str(case.pk), purpose=REASON,
                       client="web")
    with pytest.raises(IntegrityError), transaction.atomic():
        audit.append([event])  # the write path below record(): the check constraint still holds
    with pytest.raises(IntegrityError), transaction.atomic():
        audit.append([AuditEvent(action=AuditAction.READ, object_type="case", object_id="1", purpose=REASON,
                                 client="web")], bulk=True)


def test_the_check_constraint_lists_exactly_the_codes():
    """A new code needs a migration: the constraint in the database and the code list agree."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
                       ["audit_purpose_in_code_list"])
        (definition,) = cursor.fetchone()
    assert "NOT VALID" in definition  # rows from before the list keep their text: the log is append-only
    assert set(re.findall(r"'((?:[^']|'')*)'::character varying", definition)) == set(AuditPurpose.values)


def test_no_call_passes_a_computed_purpose():
    """Every purpose= given to the audit functions is a constant (a code, a name for one, or a choice between
    them), never an f-string, a concatenation, a slice or a function of something a user typed."""
    calls = {"record", "record_many", "record_call", "_event", "record_view"}
    allowed = (ast.Attribute, ast.Name, ast.Constant, ast.IfExp)
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "node_modules", "tests", "migrations"} for part in path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in calls:
                continue
            for keyword in node.keywords:
                if keyword.arg != "purpose":
                    continue
                value = keyword.value
                parts = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                if not all(isinstance(p, allowed) and not isinstance(p, ast.IfExp) for p in parts):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


# --- After running every service: every purpose is a code, no typed text anywhere ---------------------------

def test_after_the_services_that_take_text_every_audit_purpose_is_a_code(client, world, settings):
    """Break-the-glass (and reads under it, and the leaders' oversight), consent with a description,
    bemoeizorg, regiecheck with a shared summary, subject access, ZRM, the research extract and retention:
    every audit row carries a code and none of the text that was typed."""
    case, director = world["case"], world["director"]
    actor = Actor(user=director.user)
    bsn = valid_bsn()
    household = case.household
    adult = MembershipFactory(household=household, person__bsn=bsn).person

    services.record_consent(actor=actor, case=case, purpose="overig", given_on=dt.date.today(),
                            description=CONSENT_TEXT)
    services.record_bemoeizorg(actor=actor, case=case, reason=BEMOEIZORG)
    record(case, adult, scores=all_scores(4), date=dt.date.today() - dt.timedelta(days=5))
    services.regiecheck(actor=Actor(user=world["outsider"].user), asker=world["outsider"].user, bsn=bsn,
                        date_of_birth=adult.date_of_birth, postcode=household.postcode,
                        house_number=household.house_number, house_number_addition=household.house_number_addition)
    client.force_login(world["outsider"].user)
    client.post(reverse("cases:break_glass", args=[case.pk]), {"reason": REASON})
    client.get(reverse("cases:case_detail", args=[case.pk]))
    client.force_login(world["leader_noord"].user)
    client.get(reverse("cases:team"))
    client.get(reverse("cases:break_glass_log"))
    officer = StaffFactory(role=Role.PRIVACY_OFFICER, team=None)
    services.find_subject(actor=Actor(user=officer.user), bsn=bsn)
    services.export_subject_access(actor=Actor(user=officer.user), person=adult, fmt="pdf")
    _, token = create_api_client(name="Universiteit", scopes=["onderzoek.lezen"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/onderzoeksbestand", {"doel": RESEARCH_PURPOSE}).status_code == 200
    closed_on = dt.date.today() - dt.timedelta(days=1)
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed_on,
                                                 closure_reason=closure_reason())
    assert retention.apply_retention(today=closed_on.replace(year=closed_on.year + 16)).households == 1

    assert AuditEvent.objects.filter(purpose=AuditPurpose.REGIECHECK_SUMMARY).exists()
    assert AuditEvent.objects.filter(purpose=AuditPurpose.BREAK_GLASS, action=AuditAction.READ).exists()
    assert AuditEvent.objects.filter(purpose=AuditPurpose.BREAK_GLASS_OVERSIGHT).exists()
    assert AuditEvent.objects.filter(purpose=AuditPurpose.RESEARCH, object_type="researchrequest").exists()
    assert_no_free_text_in_the_audit_log()


# --- The research extract's stated purpose ---------------------------------------------------------------------

def test_a_research_request_keeps_its_purpose_under_retention(world):
    _, token = create_api_client(name="Universiteit", scopes=["onderzoek.lezen"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/onderzoeksbestand", {"doel": RESEARCH_PURPOSE}).status_code == 200
    request = ResearchRequest.objects.get()
    assert request.purpose == RESEARCH_PURPOSE
    assert_no_free_text_in_the_audit_log()

    retention.apply_retention(today=dt.date.today() + dt.timedelta(days=365 * 14))  # not yet due
    request.refresh_from_db()
    assert request.purpose == RESEARCH_PURPOSE
    retention.apply_retention(today=dt.date.today().replace(year=dt.date.today().year + 16))
    request.refresh_from_db()
    assert request.purpose == "[verwijderd]" and request.client.name == "Universiteit"
    assert AuditEvent.objects.filter(object_type="bewaartermijn", object_id="onderzoeksaanvragen=1",
                                     purpose=AuditPurpose.RETENTION).exists()
    retention.apply_retention(today=dt.date.today().replace(year=dt.date.today().year + 17))  # idempotent
    assert AuditEvent.objects.filter(object_id__startswith="onderzoeksaanvragen").count() == 1
