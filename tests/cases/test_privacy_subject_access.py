"""Subject access (AVG art. 15) for the privacy officer: found by BSN via POST, everything on one person as
JSON and PDF, audited as SEARCH, EXPORT and PRINT; nobody else may use it."""
import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases import services, subject_access
from cases.models import InterventionType, MemberRole, Role
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    StaffFactory,
    closure_reason,
    valid_bsn,
)
from tests.zrm.factories import all_scores, case_with_adult, domain, record

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
PAGE = "cases:subject_access"


@pytest.fixture
def officer(db):
    return StaffFactory(role=Role.PRIVACY_OFFICER, team=None)


@pytest.fixture
def world(db):
    """Fenna's household: a case with a plan, goals, a ZRM, an intervention, an escalation and a consent.

    Her partner Bram has his own goal (not hers). An earlier case of the household closed before she joined.
    """
    earlier = CaseFactory(members=False, melding_date=dt.date(2015, 1, 5), status="afgesloten",
                          closed_on=dt.date(2015, 6, 1), closure_reason=closure_reason())
    household = earlier.household
    case, fenna = case_with_adult(regisseur=StaffFactory(team=earlier.team), household=household,
                                  melding_date=TODAY - dt.timedelta(days=30))
    fenna.first_name, fenna.last_name = "Fenna", "Wiersma"
    fenna.save()
    membership = fenna.household_memberships.get()
    membership.valid_from = dt.date(2019, 1, 1)
    membership.save()
    bram = MembershipFactory(household=household, role=MemberRole.PARTNER, valid_from=dt.date(2019, 1, 1),
                             person=PersonFactory(first_name="Bram")).person
    actor = Actor(user=case.regisseur.user)
    measurement = record(case, fenna, scores={**all_scores(4), "financien": 2}, date=TODAY - dt.timedelta(days=3))
    plan = services.start_plan(actor=actor, case=case, covered_persons=[fenna, bram])
    services.add_goal(actor=actor, plan=plan, person=fenna, domain=domain("zrm-2017", "financien"),
                      description="Fenna's schulden in beeld", target_date=TODAY + dt.timedelta(days=60),
                      actor_type="client")
    services.add_goal(actor=actor, plan=plan, person=bram, domain=domain("zrm-2017", "financien"),
                      description="Bram zoekt werk")
    services.add_agreement(actor=actor, plan=plan, actor_type="client", description="Post openen",
                           due_date=TODAY + dt.timedelta(days=7))
    services.record_intervention(actor=actor, case=case, data=services.InterventionData(
        type=InterventionType.objects.get(code="schuldhulpverlening"), team_action="gestart", deliverer="extern",
        person=fenna, provider="Kredietbank", start_date=TODAY))
    services.record_escalation(actor=actor, case=case, kind="huisuitzetting", prevented=True, date=TODAY)
    services.record_consent(actor=actor, case=case, purpose="informatiedeling",
                            partner_organisation=OrganisationFactory(name="Woonbron"), given_on=TODAY)
    return {"case": case, "earlier": earlier, "fenna": fenna, "bram": bram, "measurement": measurement,
            "plan": plan}


def search(client, bsn):
    return client.post(reverse(PAGE), {"step": "search", "bsn": bsn})


def export(client, token, fmt):
    return client.post(reverse(PAGE), {"step": "export", "token": token, "format": fmt})


def test_the_privacy_officer_finds_the_person_by_bsn_with_a_post(client, officer, world):
    client.force_login(officer.user)
    assert client.get(reverse("home")).url == reverse(PAGE)
    page = client.get(reverse(PAGE))
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    response = search(client, world["fenna"].bsn)
    assert response.status_code == 200 and response.context["person"] == world["fenna"]
    assert response.context["counts"]["cases"] == 1 and response.context["counts"]["measurements"] == 1
    assert not response.request["QUERY_STRING"]
    row = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert (row.user, row.person_id, row.purpose) == (officer.user, world["fenna"].pk, services.PURPOSE_SUBJECT_ACCESS)


def test_an_unknown_or_invalid_bsn_is_said_plainly(client, officer, world):
    client.force_login(officer.user)
    unknown = search(client, valid_bsn())
    assert unknown.status_code == 200 and "person" not in unknown.context
    assert "Er is geen persoon met dit BSN geregistreerd." in unknown.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, person__isnull=True).count() == 1
    invalid = search(client, "123456789")
    assert services.MSG_BSN_INVALID in invalid.context["form"].errors["bsn"]


def test_the_json_export_holds_everything_on_the_person_and_is_audited_as_export(client, officer, world):
    client.force_login(officer.user)
    token = search(client, world["fenna"].bsn).context["token"]
    response = export(client, token, "json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="inzageverzoek-{world["fenna"].pk}.json"'
    assert world["fenna"].bsn not in disposition and "Wiersma" not in disposition
    data = json.loads(response.content)
    fenna, case = world["fenna"], world["case"]
    assert data["person"]["bsn"] == fenna.bsn and data["person"]["last_name"] == "Wiersma"
    assert [m["household_id"] for m in data["household_memberships"]] == [case.household_id]
    # Only the case that overlaps her membership; the household's earlier case was before she joined.
    assert [c["id"] for c in data["cases"]] == [case.pk]
    (exported,) = data["cases"]
    consent_event = "Toestemming vastgelegd: Informatiedeling met een partnerorganisatie (Woonbron)"
    assert {"Plan van aanpak versie 1 gestart", consent_event} <= {e["description"] for e in exported["events"]}
    (plan,) = exported["plans"]
    assert [g["description"] for g in plan["goals"]] == ["Fenna's schulden in beeld"]  # not Bram's goal
    assert [a["what"] for a in plan["agreements"]] == ["Post openen"]
    assert [(i["type"], i["provider"]) for i in exported["interventions"]] == [("Schuldhulpverlening", "Kredietbank")]
    assert [e["kind"] for e in exported["escalations"]] == ["Huisuitzetting"]
    (measurement,) = data["zrm_measurements"]
    assert measurement["id"] == world["measurement"].pk and measurement["problem_domain_count"] == 1
    assert {s["domain"]: s["score"] for s in measurement["scores"]}["Financiën"] == 2
    assert len(measurement["scores"]) == 13
    assert [(c["purpose"], c["partner_organisation"]) for c in data["consents"]] == [
        ("Informatiedeling met een partnerorganisatie", "Woonbron")]
    log = data["access_log"]
    assert any(row["about_this_person"] and row["object_type"] == "person" for row in log)
    assert any(row["case_id"] == case.pk and row["object_type"] == "goal" for row in log)
    assert "Bram zoekt werk" not in response.content.decode()
    row = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (row.person_id, row.user, row.purpose) == (fenna.pk, officer.user, services.PURPOSE_SUBJECT_ACCESS)


def test_the_pdf_export_is_a_pdf_and_is_audited_as_print(client, officer, world):
    client.force_login(officer.user)
    token = search(client, world["fenna"].bsn).context["token"]
    response = export(client, token, "pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 2000
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action=AuditAction.PRINT, person=world["fenna"]).count() == 1


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages: reportlab writes each content stream ASCII85- and Flate-encoded."""
    import base64
    import re
    import zlib

    out = []
    for raw in re.findall(rb"/ASCII85Decode /FlateDecode \] /Length \d+\s*>>\s*stream\r?\n(.*?)~>", pdf, re.DOTALL):
        content = zlib.decompress(base64.a85decode(raw)).decode("latin-1")
        out += re.findall(r"\((.*?)\) Tj", content)
    return " ".join(out)


def test_the_pdf_shows_the_same_content_as_the_json(world):
    data = subject_access.collect(world["fenna"])
    text = pdf_text(subject_access.to_pdf(data))
    for expected in ("Wiersma", world["fenna"].bsn, "Fenna's schulden in beeld", "Woonbron", "Kredietbank",
                     f"Casus {world['case'].pk}"):
        assert expected in text, expected


def test_a_forged_or_expired_token_exports_nothing(client, officer, world):
    client.force_login(officer.user)
    response = export(client, "not-a-token", "json")
    assert response.status_code == 302 and response.url == reverse(PAGE)
    token = search(client, world["fenna"].bsn).context["token"]
    assert export(client, token, "xml").status_code == 302
    assert not AuditEvent.objects.filter(action__in=[AuditAction.EXPORT, AuditAction.PRINT]).exists()


@pytest.mark.parametrize("who", ["worker", "leader", "municipality", "administrator"])
def test_nobody_but_the_privacy_officer_may_search_or_export(client, world, who):
    staff = {"worker": lambda: world["case"].regisseur, "leader": lambda: StaffFactory(leader=True),
             "municipality": lambda: StaffFactory(municipality=True),
             "administrator": lambda: StaffFactory(administrator=True)}[who]()
    client.force_login(staff.user)
    assert client.get(reverse(PAGE)).status_code == 403
    assert search(client, world["fenna"].bsn).status_code == 403
    with pytest.raises(PermissionDenied):
        services.find_subject(actor=Actor(user=staff.user), bsn=world["fenna"].bsn)
    with pytest.raises(PermissionDenied):
        services.export_subject_access(actor=Actor(user=staff.user), person=world["fenna"], fmt="json")
    assert not AuditEvent.objects.filter(action__in=[AuditAction.SEARCH, AuditAction.EXPORT]).exists()


def test_the_privacy_officer_does_no_case_work(client, officer, world):
    client.force_login(officer.user)
    assert client.get(reverse("cases:case_detail", args=[world["case"].pk])).status_code == 403
    assert client.get(reverse("cases:my_caseload")).status_code == 403
    assert client.get(reverse("cases:regiecheck")).status_code == 403
