"""Consent per household (purpose, partner organisation, given and withdrawn dates) and bemoeizorg: recorded
through services, shown on the casus page, audited, and limited to the case's own team."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import CaseEvent, Consent
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, OrganisationFactory, StaffFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


@pytest.fixture
def case(client):
    case = CaseFactory()
    client.force_login(case.regisseur.user)
    return case


def actor_of(case):
    return Actor(user=case.regisseur.user)


def test_a_worker_records_consent_and_the_casus_page_shows_it(client, case):
    partner = OrganisationFactory(name="Woonbron")
    form = client.get(url("consent_add", case.pk))
    assert form.status_code == 200 and "Partnerorganisatie" in form.content.decode()
    response = client.post(url("consent_add", case.pk), {
        "purpose": "informatiedeling", "partner_organisation": partner.pk, "given_on": TODAY.isoformat(),
    })
    assert response.status_code == 302 and response.url == url("case_detail", case.pk) + "#toestemming"
    consent = Consent.objects.get()
    assert (consent.household, consent.purpose, consent.partner_organisation, consent.given_on,
            consent.withdrawn_on, consent.recorded_by) == (
        case.household, "informatiedeling", partner, TODAY, None, case.regisseur.user)
    assert CaseEvent.objects.filter(case=case, description="Toestemming vastgelegd: Informatiedeling met een "
                                                           "partnerorganisatie (Woonbron)").exists()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="consent", object_id=str(consent.pk),
                                     case=case).exists()
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert "Toestemming en gegevensdeling" in page and "Woonbron" in page and "Geldig" in page
    assert url("consent_withdraw", case.pk, consent.pk) in page


@pytest.mark.parametrize("data,field,message", [
    ({"purpose": "", "given_on": TODAY.isoformat()}, "purpose", "Kies het doel van de toestemming."),
    ({"purpose": "overig", "given_on": TODAY.isoformat()}, "description",
     "Beschrijf bij 'overig' waarvoor de toestemming geldt."),
    ({"purpose": "regiecheck", "given_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "given_on",
     services.MSG_FUTURE),
    ({"purpose": "regiecheck", "given_on": ""}, "given_on", "Vul de datum in waarop de toestemming is gegeven."),
])
def test_bad_consent_input_gets_a_dutch_error_on_the_field_and_saves_nothing(client, case, data, field, message):
    response = client.post(url("consent_add", case.pk), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not Consent.objects.exists() and not CaseEvent.objects.filter(description__startswith="Toestemming")


def test_a_second_active_consent_for_the_same_purpose_and_partner_is_refused(case):
    partner = OrganisationFactory()
    services.record_consent(actor=actor_of(case), case=case, purpose="informatiedeling",
                            partner_organisation=partner, given_on=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.record_consent(actor=actor_of(case), case=case, purpose="informatiedeling",
                                partner_organisation=partner, given_on=TODAY)
    assert "purpose" in refused.value.error_dict
    services.record_consent(actor=actor_of(case), case=case, purpose="informatiedeling",
                            partner_organisation=OrganisationFactory(), given_on=TODAY)
    assert Consent.objects.count() == 2


def test_withdrawing_keeps_the_consent_as_history_and_a_new_one_can_follow(client, case):
    consent = services.record_consent(actor=actor_of(case), case=case, purpose="regiecheck",
                                      given_on=TODAY - dt.timedelta(days=30))
    early = client.post(url("consent_withdraw", case.pk, consent.pk),
                        {"withdrawn_on": (TODAY - dt.timedelta(days=31)).isoformat()})
    assert "De intrekking kan niet vóór de datum van de toestemming liggen." in early.context["form"].errors[
        "withdrawn_on"]
    response = client.post(url("consent_withdraw", case.pk, consent.pk), {"withdrawn_on": TODAY.isoformat()})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawn_by) == (TODAY, case.regisseur.user) and not consent.is_active
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="consent").count() == 1
    again = client.get(url("consent_withdraw", case.pk, consent.pk))
    assert again.status_code == 302  # already withdrawn: back to the page with a message
    with pytest.raises(ValidationError):
        services.withdraw_consent(actor=actor_of(case), case=case, consent=consent, withdrawn_on=TODAY)
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert TODAY.strftime("%d-%m-%Y") in page and url("consent_withdraw", case.pk, consent.pk) not in page
    services.record_consent(actor=actor_of(case), case=case, purpose="regiecheck", given_on=TODAY)
    assert Consent.objects.filter(withdrawn_on__isnull=True).count() == 1


def test_a_consent_of_another_household_cannot_be_withdrawn_through_this_case(client, case):
    other = CaseFactory(regisseur=case.regisseur)
    consent = services.record_consent(actor=actor_of(other), case=other, purpose="regiecheck", given_on=TODAY)
    assert client.post(url("consent_withdraw", case.pk, consent.pk), {"withdrawn_on": TODAY.isoformat()}
                       ).status_code == 404
    with pytest.raises(ValidationError):
        services.withdraw_consent(actor=actor_of(case), case=case, consent=consent, withdrawn_on=TODAY)
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_the_database_refuses_a_withdrawal_before_the_consent_or_overig_without_text(case):
    consent = services.record_consent(actor=actor_of(case), case=case, purpose="regiecheck", given_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=TODAY - dt.timedelta(days=1),
                                                     withdrawn_by=case.regisseur.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(household=case.household, purpose="overig", given_on=TODAY,
                               recorded_by=case.regisseur.user)


def test_another_team_cannot_record_or_withdraw_consent(client, case):
    consent = services.record_consent(actor=actor_of(case), case=case, purpose="regiecheck", given_on=TODAY)
    client.force_login(StaffFactory().user)
    assert client.post(url("consent_add", case.pk), {"purpose": "regiecheck", "given_on": TODAY.isoformat()}
                       ).status_code == 403
    assert client.post(url("consent_withdraw", case.pk, consent.pk), {"withdrawn_on": TODAY.isoformat()}
                       ).status_code == 403
    assert Consent.objects.count() == 1 and Consent.objects.get().withdrawn_on is None


def test_bemoeizorg_is_recorded_with_a_reason_shown_and_can_be_ended(client, case):
    assert client.post(url("bemoeizorg", case.pk), {"reason": ""}).context["form"].errors["reason"] == [
        "Beschrijf de reden voor bemoeizorg."]
    client.post(url("bemoeizorg", case.pk), {"reason": "Zorgmijdend; woning vervuild volgens buren."})
    case.refresh_from_db()
    assert case.bemoeizorg_reason == "Zorgmijdend; woning vervuild volgens buren."
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert "Ja: Zorgmijdend; woning vervuild volgens buren." in page
    client.post(url("bemoeizorg", case.pk), {"reason": ""})
    case.refresh_from_db()
    assert case.bemoeizorg_reason == ""
    assert list(CaseEvent.objects.filter(case=case, description__startswith="Bemoeizorg")
                .values_list("description", flat=True)) == [
        "Bemoeizorg vastgelegd: Zorgmijdend; woning vervuild volgens buren.", "Bemoeizorg beëindigd"]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="case", case=case).count() == 2


def test_the_casus_page_with_consents_runs_a_constant_number_of_queries(client, case):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("case_detail", case.pk)).status_code == 200
        return len(ctx.captured_queries)

    services.record_consent(actor=actor_of(case), case=case, purpose="regiecheck", given_on=TODAY)
    small = count()
    for index in range(6):
        consent = services.record_consent(actor=actor_of(case), case=case, purpose="informatiedeling",
                                          partner_organisation=OrganisationFactory(), given_on=TODAY)
        if index % 2:
            services.withdraw_consent(actor=actor_of(case), case=case, consent=consent, withdrawn_on=TODAY)
    assert count() == small
