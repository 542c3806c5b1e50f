"""The MKBA pages: who may see and change what, the report's content, overrides, scenarios side by side
and the exports, on a registration built by hand (tests/reporting/mkba/factories.py)."""
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cases.models import Person
from common.models import AuditEvent
from reporting.mkba import services
from reporting.mkba.models import Scenario
from tests.factories import StaffFactory
from tests.reporting.mkba.factories import YEAR, build_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg():
    registration = build_registration()
    services.refresh_scope(registration.team.pk, YEAR)
    services.refresh_scope(None, YEAR)
    registration.base = Scenario.objects.get(team=registration.team, year=YEAR, is_base=True)
    registration.all_teams = Scenario.objects.get(team__isnull=True, year=YEAR, is_base=True)
    return registration


def give_persons_unmistakable_names():
    """Generated surnames can be ordinary words ("Post"); these cannot appear on a page by chance."""
    for person in Person.objects.all():
        Person.objects.filter(pk=person.pk).update(first_name=f"Voornaamq{person.pk}",
                                                   last_name=f"Achternaamq{person.pk}")
    return list(Person.objects.values_list("first_name", "last_name", "bsn"))


def url(scenario, suffix=""):
    return f"/rapportage/mkba/scenario/{scenario.pk}{suffix}"


@pytest.fixture
def people(reg):
    return {
        "gemeente": StaffFactory(municipality=True),
        "beheerder": StaffFactory(administrator=True),
        "teamleider": reg.leader,
        "teamleider_ander_team": StaffFactory(leader=True, team=reg.other_team),
        "sociaal_werker": reg.worker,
    }


@pytest.mark.parametrize("who,team_page,all_teams_page", [
    ("gemeente", 200, 200),
    ("beheerder", 200, 200),
    ("teamleider", 200, 200),
    ("teamleider_ander_team", 403, 200),
    ("sociaal_werker", 403, 403),
])
def test_who_sees_the_mkba_of_a_team_and_of_all_teams(client, reg, people, who, team_page, all_teams_page):
    client.force_login(people[who].user)
    assert client.get(url(reg.base)).status_code == team_page
    assert client.get(url(reg.all_teams)).status_code == all_teams_page
    assert client.get(url(reg.base, "/export.pdf")).status_code == team_page
    assert client.get(url(reg.base, "/export.xlsx")).status_code == team_page
    assert client.get(url(reg.base, "/vergelijken")).status_code == team_page
    assert client.get("/rapportage/mkba/").status_code == (403 if who == "sociaal_werker" else 200)


def test_anonymous_visitors_are_sent_to_the_login_page(client, reg):
    response = client.get(url(reg.base))
    assert response.status_code == 302 and response["Location"].startswith("/inloggen")


def test_a_team_leader_changes_only_their_own_teams_scenarios(client, reg, people):
    client.force_login(people["teamleider"].user)
    assert client.post(url(reg.all_teams, "/invoer"), {"friction__share": "40"}).status_code == 403
    assert client.post(url(reg.all_teams, "/nieuw"), {"nieuw-name": "X"}).status_code == 403
    client.force_login(people["teamleider_ander_team"].user)
    assert client.post(url(reg.base, "/invoer"), {"friction__share": "40"}).status_code == 403
    assert Scenario.objects.count() == 2 and reg.base.overrides == {}


def test_the_report_shows_costs_benefits_ratios_actors_sources_charts_and_the_caveat(client, reg, people):
    client.force_login(people["gemeente"].user)
    response = client.get(url(reg.base))
    html = response.content.decode()
    assert "Indicatief." in html and "leerinstrument" in html and "geen afrekeninstrument of target" in html
    for text in ("Kosten nieuwe aanpak", "Frictiekosten (eenmalig)", "Extra zorg", "Nieuw voor oud", "Substitutie",
                 "Coördinatie", "Voorkomen escalaties", "Immateriële baten", "Financiële ratio",
                 "Maatschappelijke ratio", "Gemeentelijke ratio", "Wie betaalt en wie ontvangt", "Woningcorporatie"):
        assert text in html, text
    # extra care 7,500 and the team: 1.8 x 85,000 + 0.5 x 92,000 = 199,000
    assert "€ 7.500" in html and "€ 199.000" in html
    # charts: a canvas per chart, data in json_script, Chart.js from npm
    assert 'id="mkba-lines-chart"' in html and 'id="mkba-actors-chart"' in html
    assert "vendor/chart.js/dist/chart.umd.min.js" in html
    lines = json.loads(html.split('id="mkba-lines-data" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert lines["costs"][2] == 7500.0 and lines["labels"][0] == "Kosten nieuwe aanpak"
    # inputs with their sources
    assert "Registratie" in html and "Prijsboek" in html and "Standaardaanname" in html
    assert 'data-path="extraTrajectories.schuldhulpverlening.count"' in html


def test_counts_from_the_registration_below_five_are_suppressed_and_no_personal_data_appears(client, reg, people):
    client.force_login(people["gemeente"].user)
    persons = give_persons_unmistakable_names()
    html = client.get(url(reg.base)).content.decode()
    registration_table = html.split('id="mkba-registration"', 1)[1].split("</table>", 1)[0]
    assert "&lt;5" in registration_table
    assert ">5<" in registration_table  # 5 households: at the threshold, shown
    inputs_row = html.split('data-path="extraTrajectories.schuldhulpverlening.count"', 1)[1].split("</tr>", 1)[0]
    assert "&lt;5" in inputs_row
    for first_name, last_name, bsn in persons:
        assert first_name not in html and last_name not in html and bsn not in html


def test_the_analyst_overrides_an_input_and_the_mkba_is_recomputed(client, reg, people):
    client.force_login(people["gemeente"].user)
    response = client.post(url(reg.base, "/invoer"), {"friction__share": "40", "priceBook__qaly": "100000"})
    assert response.status_code == 302
    reg.base.refresh_from_db()
    assert reg.base.overrides["values"] == {"friction.share": 0.4, "priceBook.qaly": 100000}
    # friction on team members only: 0.4 x 1.8 fte x 85,000
    assert reg.base.result["costs"]["friction"] == 61200.0
    # quality of life: 2 improvements x 0.05 QALY x 100,000 x 0.4
    assert reg.base.result["benefits"]["intangible"] == 4000.0
    html = client.get(url(reg.base)).content.decode()
    row = html.split('data-path="friction.share"', 1)[1].split("</tr>", 1)[0]
    assert "40%" in row and "Handmatig aangepast" in row
    # clearing the field removes the override
    client.post(url(reg.base, "/invoer"), {"priceBook__qaly": "100000"})
    reg.base.refresh_from_db()
    assert reg.base.overrides["values"] == {"priceBook.qaly": 100000}
    assert reg.base.result["costs"]["friction"] == 0.0
    assert AuditEvent.objects.filter(object_type="scenario", action="update").count() == 2


def test_overrides_accept_dutch_number_notation(client, reg, people):
    client.force_login(people["gemeente"].user)
    client.post(url(reg.base, "/invoer"), {"team__memberCostPerFte": "90.000",
                                           "coordination__hoursSavedPerIntervention": "0,75",
                                           "effects__attribution": "62,5"})
    reg.base.refresh_from_db()
    assert reg.base.overrides["values"] == {"team.memberCostPerFte": 90000,
                                            "coordination.hoursSavedPerIntervention": 0.75,
                                            "effects.attribution": 0.625}
    html = client.get(url(reg.base)).content.decode()
    assert 'value="0,75"' in html and 'value="62,5"' in html and 'value="90000"' in html


@pytest.mark.parametrize("data,field,message", [
    ({"friction__share": "140"}, "friction__share", "Vul een percentage tussen 0 en 100 in."),
    ({"extraTrajectories__schuldhulpverlening__count": "-1"}, "extraTrajectories__schuldhulpverlening__count",
     "Mag niet negatief zijn."),
    ({"team__memberFte": "veel"}, "team__memberFte", "Vul een getal in."),
])
def test_a_bad_override_is_refused_on_its_field_and_nothing_is_saved(client, reg, people, data, field, message):
    client.force_login(people["gemeente"].user)
    before = reg.base.result
    response = client.post(url(reg.base, "/invoer"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html and 'aria-invalid="true"' in html
    reg.base.refresh_from_db()
    assert reg.base.overrides == {} and reg.base.result == before


def test_scenarios_friction_zero_and_forty_percent_are_saved_and_compared_side_by_side(client, reg, people):
    client.force_login(people["teamleider"].user)
    response = client.post(url(reg.base, "/nieuw"), {"nieuw-name": "Frictie 40%", "nieuw-friction_percent": "40",
                                                      "nieuw-copy_overrides": "on"})
    assert response.status_code == 302
    forty = Scenario.objects.get(name="Frictie 40%", team=reg.team, year=YEAR)
    assert response["Location"] == url(forty)
    assert forty.result["costs"]["friction"] == 61200.0 and reg.base.result["costs"]["friction"] == 0.0
    assert forty.price_book.version == 1 and not forty.is_base
    # the same name twice is refused with a message on the field
    again = client.post(url(reg.base, "/nieuw"), {"nieuw-name": "Frictie 40%"})
    assert again.status_code == 400 and "Er is al een scenario met deze naam" in again.content.decode()
    # switcher and comparison
    assert client.get(f"/rapportage/mkba/scenario?scenario={forty.pk}")["Location"] == url(forty)
    html = client.get(url(forty)).content.decode()
    assert f'<option value="{reg.base.pk}">Basis (registratie)</option>' in html
    compare = client.get(url(forty, "/vergelijken")).content.decode()
    assert "Basis (registratie)" in compare and "Frictie 40%" in compare
    friction_row = compare.split("Frictiekosten (eenmalig)</th>", 1)[1].split("</tr>", 1)[0]
    assert "€ 0" in friction_row and "€ 61.200" in friction_row


def test_the_nightly_recompute_keeps_each_scenarios_overrides(reg):
    forty = services.create_scenario(actor=services.Actor(user=None), team_id=reg.team.pk, year=YEAR,
                                     name="Frictie 40%", values={"friction.share": 0.4})
    services.refresh_scope(reg.team.pk, YEAR)
    forty.refresh_from_db()
    assert forty.result["costs"]["friction"] == 61200.0 and forty.overrides["values"] == {"friction.share": 0.4}


def test_an_own_benefit_line_is_added_and_removed(client, reg, people):
    client.force_login(people["gemeente"].user)
    response = client.post(url(reg.base, "/baten"), {
        "baat-category": "effectiveness", "baat-label": "Schuldhulp slaagt vaker", "baat-benefit_actor": "gemeente",
        "baat-amount": "10550", "baat-year": "1"})
    assert response.status_code == 302
    reg.base.refresh_from_db()
    before = Scenario.objects.get(pk=reg.all_teams.pk)  # untouched
    assert before.overrides == {}
    # 10,550 in year 1 = 10,000 today, on top of work found (5,687.20)
    assert reg.base.result["benefits"]["effectiveness"] == 15687.2
    html = client.get(url(reg.base)).content.decode()
    assert "Schuldhulp slaagt vaker" in html and "Handmatig aangepast" in html
    bad = client.post(url(reg.base, "/baten"), {"baat-category": "effectiveness", "baat-label": "x",
                                                "baat-benefit_actor": "gemeente", "baat-amount": "-5",
                                                "baat-year": "12"})
    assert bad.status_code == 400
    assert "Een bedrag mag niet negatief zijn." in bad.content.decode()
    client.post(url(reg.base, "/baten/handmatig_1/verwijderen"))
    reg.base.refresh_from_db()
    assert reg.base.result["benefits"]["effectiveness"] == 5687.2


def test_the_base_scenario_cannot_be_deleted_but_another_can(client, reg, people):
    client.force_login(people["gemeente"].user)
    client.post(url(reg.base, "/verwijderen"))
    assert Scenario.objects.filter(pk=reg.base.pk).exists()
    other = services.create_scenario(actor=services.Actor(user=None), team_id=reg.team.pk, year=YEAR, name="Weg")
    client.post(url(other, "/verwijderen"))
    assert not Scenario.objects.filter(pk=other.pk).exists()


def test_both_exports_download_with_the_right_file_types_and_suppressed_counts(client, reg, people):
    client.force_login(people["gemeente"].user)
    persons = give_persons_unmistakable_names()
    pdf = client.get(url(reg.base, "/export.pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert 'attachment; filename="mkba-wijkteam-noord-' in pdf["Content-Disposition"]
    xlsx = client.get(url(reg.base, "/export.xlsx"))
    assert xlsx.content.startswith(b"PK\x03\x04")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Resultaat", "Per actor", "Invoer", "Registratie", "Scenario's", "Toelichting"]
    values = {row[0]: row[1] for row in book["Resultaat"].iter_rows(values_only=True) if row and row[0]}
    assert values["Extra zorg"] == 7500 and values["Totale kosten"] == reg.base.result["costs"]["total"]
    registration = [row for row in book["Registratie"].iter_rows(values_only=True)]
    assert ("Nieuw gevonden huishoudens", "<5") in registration
    text = " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell)
    for first_name, last_name, bsn in persons:
        assert first_name not in text and last_name not in text and bsn not in text
    assert AuditEvent.objects.filter(object_type="scenario", action="export").count() == 2


def test_the_report_page_runs_a_fixed_number_of_queries(client, reg, people):
    client.force_login(people["gemeente"].user)
    for n in range(3):
        services.create_scenario(actor=services.Actor(user=None), team_id=reg.team.pk, year=YEAR, name=f"S{n}")
    with CaptureQueriesContext(connection) as few:
        client.get(url(reg.all_teams))
    with CaptureQueriesContext(connection) as many:
        client.get(url(reg.base))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_index_lists_the_scenarios_of_the_chosen_team_and_year_and_computes_on_request(client, reg, people):
    client.force_login(people["teamleider"].user)
    html = client.get("/rapportage/mkba/").content.decode()
    assert "Basis (registratie)" in html and reg.team.name in html
    response = client.post("/rapportage/mkba/berekenen", {"team": str(reg.team.pk), "year": str(YEAR - 1)})
    created = Scenario.objects.get(team=reg.team, year=YEAR - 1, is_base=True)
    assert response["Location"] == url(created)
    # another team is not among the choices: refused, nothing computed
    refused = client.post("/rapportage/mkba/berekenen", {"team": str(reg.other_team.pk), "year": str(YEAR)})
    assert refused.status_code == 302 and refused["Location"] == "/rapportage/mkba/"
    assert not Scenario.objects.filter(team=reg.other_team).exists()
    assert "Wijkteam Zuid" not in client.get(f"/rapportage/mkba/?team={reg.other_team.pk}&year={YEAR}").content.decode()
