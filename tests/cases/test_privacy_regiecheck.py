"""Regiecheck (DOMAIN.md §8): BSN + date of birth + address give WHO information only; WHAT only with the
household's consent for the asker's organisation or a recorded bemoeizorg reason; no oracle; always audited."""
import datetime as dt
import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import CaseStatus
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from common.services import create_api_client
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    closure_reason,
    valid_bsn,
)
from tests.zrm.factories import all_scores, record

pytestmark = pytest.mark.django_db
API = "/api/v1/regiecheck"
DOB = dt.date(1984, 5, 17)


@pytest.fixture
def world(db):
    ggz = OrganisationFactory(name="GGZ Noord")
    welzijn = OrganisationFactory(name="Welzijn Stad")
    director = StaffFactory(team__name="Wijkteam Noord", home_organisation=ggz, phone="050 123 4567",
                            user__first_name="Ruud", user__last_name="Postma", user__email="r.postma@ggznoord.nl")
    case = CaseFactory(regisseur=director, members=False, household__postcode="9711AB", household__house_number=12,
                       household__street="Oosterstraat", melding_date=dt.date.today() - dt.timedelta(days=40))
    bsn = valid_bsn()
    person = MembershipFactory(household=case.household, person__bsn=bsn, person__date_of_birth=DOB,
                               person__first_name="Fenna", person__last_name="Wiersma").person
    asker = StaffFactory(team__name="Wijkteam Zuid", home_organisation=welzijn)
    return {"case": case, "person": person, "bsn": bsn, "director": director, "asker": asker, "ggz": ggz,
            "welzijn": welzijn}


def screen(client, world, **overrides):
    data = {"bsn": world["bsn"], "date_of_birth": DOB.isoformat(), "postcode": "9711 ab", "house_number": "12",
            "house_number_addition": "", **overrides}
    return client.post(reverse("cases:regiecheck"), data)


def api_post(api, world, **overrides):
    body = {"bsn": world["bsn"], "dateOfBirth": DOB.isoformat(), "postcode": "9711AB", "houseNumber": 12,
            **overrides}
    return api.post(API, body, format="json")


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_login(world["asker"].user)
    return client


def test_a_full_match_gives_teams_organisations_and_the_directors_contact_details_only(client, world):
    client.force_login(world["asker"].user)
    response = screen(client, world)
    content = response.content.decode()
    assert response.status_code == 200
    answer = response.context["answer"]
    assert answer.known and answer.organisations == ["GGZ Noord"]
    (item,) = answer.involvements
    assert (item.team, item.director.name, item.director.team, item.director.email, item.director.phone) == (
        "Wijkteam Noord", "Ruud Postma", "Wijkteam Noord", "r.postma@ggznoord.nl", "050 123 4567")
    assert item.summary is None and not item.consent_covers and item.shared_basis == ""
    for shown in ("Wijkteam Noord", "GGZ Noord", "Ruud Postma", "r.postma@ggznoord.nl", "050 123 4567",
                  "Geen toestemming om gegevens met uw organisatie te delen."):
        assert shown in content, shown
    # Never case content: no status, melding date, source, household members or ZRM.
    for hidden in ("Aangemeld", "Status casus", "Probleemdomeinen", "Wiersma", "Oosterstraat", "Zelfmelder"):
        assert hidden not in content.split('id="regiecheck-result"')[1], hidden


def test_no_match_and_any_partial_mismatch_give_the_same_neutral_answer(api, world):
    answers = [
        api_post(api, world, bsn=valid_bsn()),                           # unknown BSN
        api_post(api, world, dateOfBirth="1984-05-18"),                  # date of birth one day off
        api_post(api, world, houseNumber=14),                            # another address
        api_post(api, world, postcode="9712AB"),
    ]
    assert all(response.status_code == 200 for response in answers)
    assert all(response.json() == {"known": False, "organisations": [], "involvements": []} for response in answers)
    assert len({response.content for response in answers}) == 1
    assert api_post(api, world).json()["known"] is True


def test_the_screen_gives_the_same_neutral_text_for_no_match_and_a_wrong_date_of_birth(client, world):
    client.force_login(world["asker"].user)
    wrong_dob = screen(client, world, date_of_birth="1985-05-17").content.decode()
    unknown = screen(client, world, bsn=valid_bsn()).content.decode()

    def result(html):
        return html.split('id="regiecheck-result"')[1].split("</section>")[0]

    assert result(wrong_dob) == result(unknown) and "Geen regie bekend." in result(unknown)


def test_a_closed_case_is_no_regie(api, world):
    case = world["case"]
    services.close_case(actor=Actor(user=world["director"].user), case=case, reason=closure_reason(),
                        closed_on=dt.date.today())
    assert api_post(api, world).json()["known"] is False


def test_consent_naming_the_askers_organisation_adds_a_minimal_summary(api, world):
    case, person = world["case"], world["person"]
    record(case, person, scores={**all_scores(4), "financien": 2, "huisvesting": 3, "justitie": 1},
           date=dt.date.today() - dt.timedelta(days=5))
    services.record_consent(actor=Actor(user=world["director"].user), case=case, purpose="informatiedeling",
                            partner_organisation=world["welzijn"], given_on=dt.date.today())
    body = api_post(api, world).json()
    (item,) = body["involvements"]
    assert item["consentCovers"] is True and item["sharedBasis"] == "toestemming"
    assert item["summary"] == {"status": CaseStatus.REGISTERED.label, "meldingDate": case.melding_date.isoformat(),
                               "problemDomainCount": 3,
                               "measuredOn": (dt.date.today() - dt.timedelta(days=5)).isoformat()}
    # Still never more than that: no names, no scores per domain, no timeline.
    text = str(body)
    assert "Wiersma" not in text and "financien" not in text.lower() and "Oosterstraat" not in text


@pytest.mark.parametrize("variant", ["other_organisation", "withdrawn", "no_partner", "other_purpose"])
def test_consent_that_does_not_name_the_askers_organisation_shares_nothing_more(api, world, variant):
    case, director = world["case"], Actor(user=world["director"].user)
    today = dt.date.today()
    if variant == "other_organisation":
        services.record_consent(actor=director, case=case, purpose="informatiedeling",
                                partner_organisation=OrganisationFactory(name="Woonbron"), given_on=today)
    elif variant == "withdrawn":
        consent = services.record_consent(actor=director, case=case, purpose="informatiedeling",
                                          partner_organisation=world["welzijn"], given_on=today)
        services.withdraw_consent(actor=director, case=case, consent=consent, withdrawn_on=today)
    elif variant == "no_partner":
        services.record_consent(actor=director, case=case, purpose="informatiedeling", given_on=today)
    else:
        services.record_consent(actor=director, case=case, purpose="onderzoek", partner_organisation=world["welzijn"],
                                given_on=today)
    (item,) = api_post(api, world).json()["involvements"]
    assert item["summary"] is None and item["consentCovers"] is False and item["sharedBasis"] == ""


def test_a_recorded_bemoeizorg_reason_adds_the_summary_without_consent(client, world):
    services.record_bemoeizorg(actor=Actor(user=world["director"].user), case=world["case"],
                               reason="Zorgmijdend; meerdere meldingen van overlast, huisarts bezorgd.")
    client.force_login(world["asker"].user)
    response = screen(client, world)
    (item,) = response.context["answer"].involvements
    assert item.shared_basis == "bemoeizorg" and not item.consent_covers
    assert item.summary.status == "Aangemeld" and item.summary.problem_domain_count is None
    content = response.content.decode()
    assert "vastgelegde bemoeizorg" in content and "Nog geen vastgestelde ZRM" in content
    assert "Zorgmijdend" not in content  # the reason itself is case content


def test_every_regiecheck_is_audited_as_search_and_shared_summaries_as_reads(api, world):
    api_post(api, world, bsn=valid_bsn())
    api_post(api, world, dateOfBirth="1990-01-01")
    api_post(api, world)
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH, purpose="regiecheck").order_by("pk")
    assert searches.count() == 3
    unknown, mismatch, match = searches
    assert (unknown.object_type, unknown.person_id, unknown.user) == ("regiecheck", None, world["asker"].user)
    assert (mismatch.person_id, mismatch.case_id) == (world["person"].pk, None)
    assert (match.object_type, match.person_id, match.case_id) == ("household", world["person"].pk, world["case"].pk)
    assert not AuditEvent.objects.filter(action=AuditAction.READ, purpose__startswith="regiecheck").exists()
    services.record_bemoeizorg(actor=Actor(user=world["director"].user), case=world["case"], reason="Zorgmijder")
    api_post(api, world)
    assert AuditEvent.objects.filter(action=AuditAction.READ, case=world["case"],
                                     purpose="regiecheck: samenvatting gedeeld").count() == 1
    for row in AuditEvent.objects.values():
        assert world["bsn"] not in str(row)


def test_the_bsn_never_appears_in_a_url_or_a_log_line(client, api, world, caplog):
    with caplog.at_level(logging.DEBUG):
        client.force_login(world["asker"].user)
        page = screen(client, world)
        api_post(api, world)
    assert page.request["PATH_INFO"] == reverse("cases:regiecheck") and not page.request["QUERY_STRING"]
    assert world["bsn"] not in caplog.text
    assert 'method="post"' in client.get(reverse("cases:regiecheck")).content.decode()
    refused = api.get(API, {"bsn": world["bsn"]})
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"


def test_bad_input_gets_specific_errors_and_no_search(client, api, world):
    client.force_login(world["asker"].user)
    response = screen(client, world, bsn="123456789", date_of_birth="", postcode="12", house_number="0")
    errors = response.context["form"].errors
    assert services.MSG_BSN_INVALID in errors["bsn"] and "Vul de geboortedatum in." in errors["date_of_birth"]
    assert errors["postcode"] and errors["house_number"] and response.context["answer"] is None
    problem = api_post(api, world, bsn="123456789", houseNumber=0)
    assert problem.status_code == 400 and problem["Content-Type"] == "application/problem+json"
    assert {p["name"] for p in problem.json()["invalid-params"]} == {"bsn", "houseNumber"}
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_a_machine_client_with_registratie_lezen_may_ask(world):
    _client, token = create_api_client(name="Zorgnetwerk", scopes=["registratie.lezen"],
                                       teams=[world["asker"].team])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = api_post(api, world).json()
    assert body["known"] is True and body["involvements"][0]["director"]["phone"] == "050 123 4567"
    row = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert row.client == "api:Zorgnetwerk" and row.user is None


@pytest.mark.parametrize("who", ["client_without_scope", "gemeente", "beheerder", "anonymous"])
def test_others_may_not_ask(world, who):
    api = APIClient()
    if who == "client_without_scope":
        _client, token = create_api_client(name="Gemeente-BI", scopes=["aggregaten.lezen"])
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    elif who != "anonymous":
        api.force_login(StaffFactory(**{"municipality" if who == "gemeente" else "administrator": True}).user)
    assert api_post(api, world).status_code in (401, 403)
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


@pytest.mark.parametrize("trait", ["municipality", "administrator"])
def test_the_screen_is_for_sociaal_werkers_and_teamleiders(client, world, trait):
    client.force_login(StaffFactory(**{trait: True}).user)
    assert client.get(reverse("cases:regiecheck")).status_code == 403
    assert screen(client, world).status_code == 403
    client.force_login(StaffFactory(leader=True).user)
    assert client.get(reverse("cases:regiecheck")).status_code == 200
