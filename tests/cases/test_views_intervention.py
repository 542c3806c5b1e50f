"""Interventions (trajecten) and escalations on the casus page: every field, warnings, bad input, editing."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from cases import services
from cases.models import Escalation, Intervention, InterventionType
from cases.services import MSG_FUTURE
from common.models import AuditAction, AuditEvent
from tests.cases.test_views_plan import actor_of
from tests.factories import PersonFactory
from tests.zrm.factories import case_with_adult

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def kind(code):
    return InterventionType.objects.get(code=code)


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


@pytest.fixture
def world(client):
    case, adult = case_with_adult()
    client.force_login(case.regisseur.user)
    return case, adult


def form_data(**overrides):
    data = {"type": kind("schuldhulpverlening").pk, "team_action": "gestart", "deliverer": "extern"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def errors(response, field):
    return response.context["form"].errors.get(field, [])


def test_an_intervention_is_registered_with_every_field(client, world):
    case, adult = world
    waiting = services.record_intervention(actor=actor_of(case), case=case, data=services.InterventionData(
        type=kind("ggz_ambulant"), team_action="gestart", deliverer="extern", on_waiting_list=True))[0]
    start = TODAY - dt.timedelta(days=20)
    response = client.post(url("intervention_add", case.pk), form_data(
        type=kind("anders").pk, subcategory="begeleiding", person=adult.pk, provider="Wijkteam zelf",
        start_date=start.isoformat(), end_date=TODAY.isoformat(), team_action="gestopt", deliverer="team",
        would_have_started_without_team="nee", monthly_hours="2,5", most_appropriate_type=kind("ggz_ambulant").pk,
        deviation_reason="wachtlijst", replaces_type=kind("begeleiding").pk, bridging_for=waiting.pk,
        carried_out_at_6_months="ja"))
    assert response.status_code == 302
    assert response.url == url("case_detail", case.pk) + "#trajecten"
    item = Intervention.objects.exclude(pk=waiting.pk).get()
    assert (item.type.code, item.subcategory, item.person, item.provider) == (
        "anders", "begeleiding", adult, "Wijkteam zelf")
    assert (item.start_date, item.end_date, item.team_action, item.deliverer) == (start, TODAY, "gestopt", "team")
    assert item.would_have_started_without_team is False and item.carried_out_at_6_months is True
    assert item.monthly_hours == Decimal("2.5")
    assert (item.most_appropriate_type.code, item.deviation_reason, item.replaces_type.code) == (
        "ggz_ambulant", "wachtlijst", "begeleiding")
    assert item.bridging_for == waiting and not item.on_waiting_list
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intervention",
                                     object_id=str(item.pk), person=adult).exists()
    page = client.get(response.url).content.decode()
    assert "Het traject is opgeslagen." in page and "overbrugt: GGZ ambulant" in page


def test_light_support_above_the_monthly_cap_is_saved_with_a_warning(client, world):
    case, _ = world
    response = client.post(url("intervention_add", case.pk), form_data(
        type=kind("maatschappelijke_dienstverlening").pk, deliverer="team", monthly_hours="12"), follow=True)
    assert Intervention.objects.get().monthly_hours == 12
    content = response.content.decode()
    assert "Lichte ondersteuning door het team is begrensd op 8 uur per maand; hier is 12 uur geregistreerd." in content
    assert "utrecht-alert--warning" in content
    assert "(boven 8)" in content


@pytest.mark.parametrize("overrides, field, message", [
    ({"type": "anders_pk"}, "subcategory", "Kies bij 'anders' een subcategorie."),
    ({"most_appropriate_type": "ggz_pk"}, "deviation_reason",
     "De ingezette hulp wijkt af van de meest passende hulp: geef de reden."),
    ({"team_action": "gestopt"}, "end_date", "Een gestopt traject heeft een einddatum."),
    ({"monthly_hours": "4"}, "monthly_hours", "Uren lichte ondersteuning gelden alleen voor het team zelf."),
    ({"monthly_hours": "-1", "deliverer": "team"}, "monthly_hours", "Het aantal uren kan niet negatief zijn."),
    ({"start_date": "2030-01-10", "end_date": "2030-01-01"}, "start_date", MSG_FUTURE),
    ({"start_date": "2024-01-10", "end_date": "2024-01-01"}, "end_date", "De einddatum ligt vóór de startdatum."),
    ({"team_action": None}, "team_action", "Geef aan of het traject al liep, of door het team is gestart of gestopt."),
    ({"deliverer": None}, "deliverer", "Geef aan wie het traject uitvoert."),
    ({"type": None}, "type", "Kies de soort traject."),
])
def test_bad_intervention_input_gets_a_specific_message_and_nothing_is_saved(client, world, overrides, field,
                                                                           message):
    case, _ = world
    codes = {"anders_pk": kind("anders").pk, "ggz_pk": kind("ggz_ambulant").pk}
    overrides = {key: codes.get(value, value) for key, value in overrides.items()}
    response = client.post(url("intervention_add", case.pk), form_data(**overrides))
    assert response.status_code == 200
    assert message in errors(response, field)
    assert not Intervention.objects.exists()


def test_a_person_from_another_household_cannot_be_chosen(client, world):
    case, _ = world
    response = client.post(url("intervention_add", case.pk), form_data(person=PersonFactory().pk))
    assert errors(response, "person") == ["Kies een gezinslid uit de lijst."]
    assert not Intervention.objects.exists()


def test_an_intervention_is_edited_with_its_values_shown(client, world):
    case, _ = world
    item, _ = services.record_intervention(actor=actor_of(case), case=case, data=services.InterventionData(
        type=kind("re_integratie"), team_action="lopend", deliverer="extern", provider="UWV",
        would_have_started_without_team=True))
    response = client.get(url("intervention_edit", item.pk))
    form = response.context["form"]
    assert form.initial["provider"] == "UWV" and form.initial["would_have_started_without_team"] == "ja"
    assert form.initial["type"] == kind("re_integratie").pk
    assert item.pk not in [choice.pk for choice in form.fields["bridging_for"].queryset]  # not itself
    content = response.content.decode()
    assert ('value="ja" class="utrecht-radio-button utrecht-radio-button--html-input" '
            'id="id_would_have_started_without_team_1" checked>') in content
    assert '<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">Rol van het team' \
        in content
    assert AuditEvent.objects.filter(action=AuditAction.READ, object_type="intervention",
                                     object_id=str(item.pk)).exists()

    response = client.post(url("intervention_edit", item.pk), form_data(
        type=kind("re_integratie").pk, team_action="gestopt", deliverer="extern", provider="UWV",
        end_date=TODAY.isoformat(), carried_out_at_6_months="nee"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.team_action, item.end_date, item.carried_out_at_6_months) == ("gestopt", TODAY, False)
    assert item.would_have_started_without_team is None  # the "weet ik niet" answer was sent
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="intervention",
                                     object_id=str(item.pk)).exists()


def test_a_bad_edit_keeps_the_stored_intervention(client, world):
    case, _ = world
    item, _ = services.record_intervention(actor=actor_of(case), case=case, data=services.InterventionData(
        type=kind("re_integratie"), team_action="lopend", deliverer="extern"))
    response = client.post(url("intervention_edit", item.pk), form_data(team_action="gestopt"))
    assert errors(response, "end_date") == ["Een gestopt traject heeft een einddatum."]
    item.refresh_from_db()
    assert item.team_action == "lopend" and item.type.code == "re_integratie"


def test_the_case_page_lists_the_interventions_and_escalations(client, world):
    case, adult = world
    actor = actor_of(case)
    item, _ = services.record_intervention(actor=actor, case=case, data=services.InterventionData(
        type=kind("schuldhulpverlening"), team_action="gestart", deliverer="extern", provider="Kredietbank",
        person=adult))
    services.record_escalation(actor=actor, case=case, kind="huisuitzetting", prevented=True, prevented_by=item,
                               date=TODAY, note="Betalingsregeling met de corporatie")
    response = client.get(url("case_detail", case.pk))
    assert response.context["interventions"] == [item]
    content = response.content.decode()
    assert "Kredietbank" in content and "Gestart door het team" in content
    assert "Huisuitzetting" in content and "Voorkomen" in content and "Betalingsregeling" in content
    assert url("intervention_edit", item.pk) in content


# --- Escalations ------------------------------------------------------------------------------------

def test_a_prevented_escalation_is_registered_with_the_intervention_that_prevented_it(client, world):
    case, _ = world
    item, _ = services.record_intervention(actor=actor_of(case), case=case, data=services.InterventionData(
        type=kind("jeugd_opvoedhulp_ambulant"), team_action="gestart", deliverer="extern"))
    response = client.post(url("escalation_add", case.pk), {
        "kind": "uhp", "prevented": "ja", "prevented_by": item.pk, "children_count": "2",
        "date": TODAY.isoformat(), "note": "Opvoedhulp thuis"})
    assert response.status_code == 302 and response.url == url("case_detail", case.pk) + "#escalaties"
    escalation = Escalation.objects.get()
    assert (escalation.kind, escalation.prevented, escalation.prevented_by, escalation.children_count) == (
        "uhp", True, item, 2)


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "uhp", "prevented": "nee"}, "children_count", "Vul bij een uithuisplaatsing het aantal kinderen in."),
    ({"kind": "ots", "prevented": "nee", "prevented_by": "item"}, "prevented_by",
     "Alleen een voorkomen escalatie heeft een voorkomend traject."),
    ({"kind": "ots", "prevented": "ja", "date": "2099-01-01"}, "date", MSG_FUTURE),
    ({"kind": "ots"}, "prevented", "Geef aan of de escalatie is opgetreden of voorkomen."),
    ({"prevented": "ja"}, "kind", "Kies de soort escalatie."),
    ({"kind": "uhp", "prevented": "ja", "children_count": "0"}, "children_count", "Vul minstens 1 kind in."),
])
def test_bad_escalation_input_gets_a_specific_message_and_nothing_is_saved(client, world, data, field, message):
    case, _ = world
    item, _ = services.record_intervention(actor=actor_of(case), case=case, data=services.InterventionData(
        type=kind("ggz_ambulant"), team_action="gestart", deliverer="extern"))
    data = {"date": TODAY.isoformat(), **data}
    if data.get("prevented_by") == "item":
        data["prevented_by"] = item.pk
    response = client.post(url("escalation_add", case.pk), data)
    assert response.status_code == 200
    assert message in errors(response, field)
    assert not Escalation.objects.exists()


def test_an_intervention_of_another_case_cannot_prevent_this_escalation(client, world):
    case, _ = world
    other, _ = case_with_adult()
    foreign, _ = services.record_intervention(actor=actor_of(other), case=other, data=services.InterventionData(
        type=kind("ggz_ambulant"), team_action="gestart", deliverer="extern"))
    response = client.post(url("escalation_add", case.pk), {
        "kind": "opname_ggz", "prevented": "ja", "prevented_by": foreign.pk, "date": TODAY.isoformat()})
    assert errors(response, "prevented_by") == ["Kies een traject uit de lijst."]
    assert not Escalation.objects.exists()
