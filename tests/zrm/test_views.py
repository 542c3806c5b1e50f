"""The browser views: entry screen (works without JavaScript), measurement page, history and chart,
the casus panel; access per team and the audit log."""
import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.models import AuditEvent
from tests.factories import PersonFactory, StaffFactory
from tests.zrm.factories import CODES_2017, case_with_adult, record
from zrm.models import Measurement, MeasurementStatus

pytestmark = pytest.mark.django_db


def entry_url(case, person):
    return f"/zrm/casussen/{case.pk}/personen/{person.pk}/nieuwe-meting"


def form_data(case, scores: dict, **extra):
    data = {"date": dt.date.today().isoformat(), "type": "nulmeting", "purpose": "plan", "income_source": "",
            "participatieladder": "", "assessor": str(case.regisseur.pk), **extra}
    for code, value in scores.items():
        if value in ("niet_relevant", "onbekend"):
            data[f"score_{code}"] = "0"
            data[f"reason_{code}"] = value
        else:
            data[f"score_{code}"] = str(value)
    return data


def test_entry_screen_shows_every_domain_as_an_accessible_radio_group_with_the_previous_score(login):
    case, person = case_with_adult()
    record(case, person, scores={"financien": 2, "justitie": "niet_relevant"}, date=dt.date.today() - dt.timedelta(days=3))
    html = login(case.regisseur).get(entry_url(case, person)).content.decode()
    assert html.count("<fieldset class=\"zrm-domain") == 13
    assert html.count("<legend class=\"zrm-domain__legend\">") == 13
    for code in CODES_2017:
        assert f'name="score_{code}" value="0"' in html
        for level in range(1, 6):
            assert f'id="id_score_{code}_{level}"' in html
    assert "Vorige score: <strong>2</strong> (niet zelfredzaam)" in html
    assert "Vorige keer niet gescoord (niet relevant)" in html
    assert 'id="zrm-keys-hint"' in html and "<kbd>V</kbd> stelt de meting vast" in html
    assert 'aria-keyshortcuts="v"' in html
    assert 'zrm/entry.js' in html
    # a nulmeting exists: the screen proposes a tussenmeting
    assert re.search(r'<option value="tussenmeting" selected>', html)


def test_submitting_the_plain_form_finalises_and_shows_the_measurement(login):
    case, person = case_with_adult()
    client = login(case.regisseur)
    scores = {code: 4 for code in CODES_2017} | {"financien": 2, "justitie": "niet_relevant"}
    response = client.post(entry_url(case, person), form_data(case, scores, action="vaststellen"))
    m = Measurement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/zrm/metingen/{m.pk}"
    assert m.status == MeasurementStatus.FINAL and m.problem_domain_count == 1
    assert m.scores.get(domain__code="justitie").not_scored_reason == "niet_relevant"
    page = client.get(response["Location"]).content.decode()
    assert "De meting is vastgesteld." in page and "Meting corrigeren" in page


def test_saving_as_concept_and_continuing_later(login):
    case, person = case_with_adult()
    client = login(case.regisseur)
    response = client.post(entry_url(case, person), form_data(case, {"financien": 3}, action="concept"))
    draft = Measurement.objects.get()
    assert draft.status == MeasurementStatus.DRAFT
    assert response["Location"] == f"/zrm/metingen/{draft.pk}/invullen"
    # starting a new measurement for the same person continues the concept
    assert client.get(entry_url(case, person))["Location"] == f"/zrm/metingen/{draft.pk}/invullen"
    html = client.get(f"/zrm/metingen/{draft.pk}/invullen").content.decode()
    assert 'name="score_financien" value="3" id="id_score_financien_3" checked' in html
    client.post(f"/zrm/metingen/{draft.pk}/invullen", form_data(case, {"financien": 5, "justitie": 1}, action="vaststellen"))
    draft.refresh_from_db()
    assert draft.status == MeasurementStatus.FINAL and draft.acute_domain_count == 1


def test_bad_input_gives_specific_errors_on_the_fields_and_saves_nothing(login):
    case, person = case_with_adult()
    data = form_data(case, {"financien": 3}, action="vaststellen", date=(dt.date.today() + dt.timedelta(days=2)).isoformat())
    data["score_justitie"] = "9"
    response = login(case.regisseur).post(entry_url(case, person), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Justitie: kies 1 tot en met 5 of niet gescoord." in html
    assert 'id="id_score_justitie_error"' in html
    assert not Measurement.objects.exists()
    data["score_justitie"] = "2"
    html = login(case.regisseur).post(entry_url(case, person), data).content.decode()
    assert "De datum van de meting ligt in de toekomst." in html
    assert 'aria-describedby="id_date_error"' in html and 'aria-invalid="true"' in html
    assert not Measurement.objects.exists()


def test_benefit_warning_is_shown_after_saving_and_on_the_measurement(login):
    case, person = case_with_adult()
    client = login(case.regisseur)
    response = client.post(entry_url(case, person),
                           form_data(case, {"financien": 5}, action="vaststellen", income_source="uitkering"), follow=True)
    html = response.content.decode()
    assert "heeft een uitkering en scoort 5 op Financiën" in html
    assert Measurement.objects.get().status == MeasurementStatus.FINAL


def test_child_module_appears_on_the_2013_entry_screen_only_with_a_child_at_home(login):
    from common.audit import Actor
    from tests.zrm.factories import version
    from zrm import services

    services.set_active_version(actor=Actor(user=None), version=version("zrm-2013"))
    case, person = case_with_adult(child=False)
    html = login(case.regisseur).get(entry_url(case, person)).content.decode()
    assert html.count('<fieldset class="zrm-domain') == 11 and "score_opvang" not in html
    assert "De kindmodule wordt niet getoond" in html
    case2, person2 = case_with_adult(child=True, regisseur=case.regisseur)
    html = login(case.regisseur).get(entry_url(case2, person2)).content.decode()
    assert html.count('<fieldset class="zrm-domain') == 15 and "score_opvang" in html


def test_correcting_a_measurement_through_the_screen(login):
    case, person = case_with_adult()
    original = record(case, person, scores={"financien": 2})
    client = login(case.regisseur)
    url = f"/zrm/metingen/{original.pk}/corrigeren"
    html = client.get(url).content.decode()
    assert "U corrigeert de vastgestelde meting" in html and 'name="correction_reason"' in html
    response = client.post(url, form_data(case, {"financien": 3}, action="vaststellen"))
    assert "Geef de reden van de correctie." in response.content.decode()
    response = client.post(url, form_data(case, {"financien": 3}, action="vaststellen", correction_reason="Typfout"))
    correction = Measurement.objects.exclude(pk=original.pk).get()
    assert correction.supersedes == original and correction.status == MeasurementStatus.FINAL
    html = client.get(f"/zrm/metingen/{original.pk}").content.decode()
    assert "Deze meting is gecorrigeerd." in html
    # editing a finalised measurement is not possible: the edit page sends you to the measurement
    assert client.get(f"/zrm/metingen/{original.pk}/invullen")["Location"] == f"/zrm/metingen/{original.pk}"


def test_person_history_shows_every_measurement_and_baseline_against_latest_chart_data(login):
    case, person = case_with_adult()
    today = dt.date.today()
    first = record(case, person, scores={c: 2 for c in CODES_2017}, date=today - dt.timedelta(days=9))
    record(case, person, scores={c: 3 for c in CODES_2017} | {"justitie": "niet_relevant"}, type="tussenmeting",
           date=today - dt.timedelta(days=1))
    record(case, person, scores={"financien": 1}, type="tussenmeting", finalise=False)
    response = login(case.regisseur).get(f"/zrm/casussen/{case.pk}/personen/{person.pk}")
    html = response.content.decode()
    data = json.loads(re.search(rf'<script id="zrm-chart-{person.pk}-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["labels"][0] == "Financiën" and len(data["labels"]) == 13
    assert data["baseline"] == [2] * 13
    assert data["latest"] == [3] * 12 + [None]
    assert f'<canvas id="zrm-chart-{person.pk}"' in html and 'role="img"' in html
    assert "vendor/chart.js/dist/chart.umd.min.js" in html
    assert "<caption>Eerste en laatste score per domein" in html
    assert '<th scope="row">Financiën</th><td>2</td><td>3</td><td>+1</td>' in html
    assert html.count("zrm/metingen/") >= 3  # every measurement, the concept included, is in the table
    assert "Concept" in html
    rows = AuditEvent.objects.filter(object_type="measurement", action="read", person=person)
    assert rows.count() == 3
    assert AuditEvent.objects.filter(object_type="person", object_id=str(person.pk), action="read").exists()
    assert first.pk


def test_history_compares_across_versions_on_the_2013_domains_taking_the_lower_of_a_split_pair(login):
    case, person = case_with_adult()
    today = dt.date.today()
    record(case, person, version_code="zrm-2013", date=today - dt.timedelta(days=20),
           scores={"dagbesteding": 2, "adl": 3, "financien": 2})
    record(case, person, version_code="zrm-2017", date=today, type="tussenmeting",
           scores={"werk_opleiding": 4, "tijdsbesteding": 3, "basale_adl": 5, "instrumentele_adl": 4, "financien": 4})
    html = login(case.regisseur).get(f"/zrm/casussen/{case.pk}/personen/{person.pk}").content.decode()
    assert "gaat over twee versies van de ZRM" in html
    assert '<th scope="row">Dagbesteding</th><td>2</td><td>3</td><td>+1</td>' in html
    assert '<th scope="row">ADL-vaardigheden</th><td>3</td><td>4</td><td>+1</td>' in html
    assert '<th scope="row">Financiën</th><td>2</td><td>4</td><td>+2</td>' in html


def test_household_history_shows_each_member(login):
    case, adult = case_with_adult(child=True)
    partner = PersonFactory()
    from tests.factories import MembershipFactory

    MembershipFactory(household=case.household, person=partner, role="partner")
    record(case, adult, scores={"financien": 2})
    record(case, partner, scores={"financien": 4})
    html = login(case.regisseur).get(f"/zrm/casussen/{case.pk}/huishouden").content.decode()
    assert adult.full_name in html and partner.full_name in html
    assert html.count("<canvas") == 2


def test_history_page_runs_a_constant_number_of_queries(login):
    case, person = case_with_adult()
    client = login(case.regisseur)
    record(case, person)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/zrm/casussen/{case.pk}/personen/{person.pk}").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for days in range(1, 6):
        record(case, person, type="tussenmeting", date=dt.date.today() - dt.timedelta(days=days))
    assert count() == one


def test_case_panel_lists_schedule_members_and_links(login):
    today = dt.date.today()
    case, person = case_with_adult(melding_date=today - dt.timedelta(days=50))
    m = record(case, person, date=today - dt.timedelta(days=2))
    html = login(case.regisseur).get(f"/casussen/{case.pk}").content.decode()
    assert "Zelfredzaamheid (ZRM)" in html
    assert "Planning van de ZRM-metingen" in html
    assert f"Gedaan op {(today - dt.timedelta(days=2)):%d-%m-%Y}" in html
    assert f"/zrm/metingen/{m.pk}" in html
    assert entry_url(case, person) in html
    assert f"/zrm/casussen/{case.pk}/personen/{person.pk}" in html


def test_case_panel_flags_an_overdue_nulmeting(login):
    today = dt.date.today()
    case, person = case_with_adult(melding_date=today - dt.timedelta(days=50))
    html = login(case.regisseur).get(f"/casussen/{case.pk}").content.decode()
    assert '<span class="wr-overdue">Te laat' in html


@pytest.mark.parametrize("path", [
    "/zrm/casussen/{case}/personen/{person}/nieuwe-meting",
    "/zrm/casussen/{case}/personen/{person}",
    "/zrm/casussen/{case}/huishouden",
    "/zrm/metingen/{m}",
    "/zrm/metingen/{m}/corrigeren",
    "/zrm/metingen/{draft}/invullen",
])
def test_another_team_gets_403_and_gemeente_and_beheerder_too(login, path):
    case, person = case_with_adult()
    m = record(case, person)
    draft = record(case, person, finalise=False, type="tussenmeting")
    url = path.format(case=case.pk, person=person.pk, m=m.pk, draft=draft.pk)
    assert login(case.regisseur).get(url).status_code in (200, 302)
    for staff in (StaffFactory(), StaffFactory(leader=True), StaffFactory(municipality=True),
                  StaffFactory(administrator=True)):
        assert login(staff).get(url).status_code == 403
    leader = StaffFactory(leader=True, team=case.team)
    assert login(leader).get(url).status_code in (200, 302)


def test_a_person_outside_the_household_is_not_found(login):
    case, person = case_with_adult()
    stranger = PersonFactory()
    assert login(case.regisseur).get(entry_url(case, stranger)).status_code == 404
    assert login(case.regisseur).get(f"/zrm/casussen/{case.pk}/personen/{stranger.pk}").status_code == 404


def test_anonymous_users_are_sent_to_the_login(client):
    case, person = case_with_adult()
    response = client.get(entry_url(case, person))
    assert response.status_code == 302 and response["Location"].startswith("/inloggen")


def test_viewing_a_measurement_is_audited(login):
    case, person = case_with_adult()
    m = record(case, person)
    before = AuditEvent.objects.filter(object_type="measurement", object_id=str(m.pk), action="read").count()
    login(case.regisseur).get(f"/zrm/metingen/{m.pk}")
    assert AuditEvent.objects.filter(object_type="measurement", object_id=str(m.pk), action="read").count() == before + 1


def test_discarding_a_concept(login):
    case, person = case_with_adult()
    draft = record(case, person, finalise=False)
    response = login(case.regisseur).post(f"/zrm/metingen/{draft.pk}/verwijderen")
    assert response["Location"] == f"/casussen/{case.pk}"
    assert not Measurement.objects.exists()
    assert AuditEvent.objects.filter(object_type="measurement", object_id=str(draft.pk), action="delete").exists()
