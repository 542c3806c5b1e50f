"""Recording, finalising and correcting measurements through the services (the one write path)."""
import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import override_settings

from cases.models import HouseholdMembership, MemberRole
from common.models import AuditEvent
from tests.factories import MembershipFactory, PersonFactory, StaffFactory
from tests.zrm.factories import CHILD_CODES, CODES_2013, actor_for, all_scores, case_with_adult, domain, record, version
from zrm import selectors, services
from zrm.models import Measurement, MeasurementStatus, Score

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Who and when ---------------------------------------------------------------------------------

def test_a_measurement_belongs_to_a_current_member_of_the_case_household():
    case, person = case_with_adult()
    outsider = PersonFactory()
    with pytest.raises(ValidationError) as excinfo:
        record(case, outsider)
    assert "geen huidig lid" in errors_of(excinfo)["person"][0]
    HouseholdMembership.objects.filter(person=person).update(valid_to=dt.date.today())
    with pytest.raises(ValidationError):
        record(case, person)
    assert not Measurement.objects.exists()


def test_the_date_may_not_lie_in_the_future():
    case, person = case_with_adult()
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, date=dt.date.today() + dt.timedelta(days=1))
    assert errors_of(excinfo)["date"] == ["De datum van de meting ligt in de toekomst."]


def test_the_date_may_lie_up_to_thirty_days_before_the_melding_and_no_earlier():
    melding = dt.date.today() - dt.timedelta(days=5)
    case, person = case_with_adult(melding_date=melding)
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, date=melding - dt.timedelta(days=31))
    assert "30 dagen voor de melding" in errors_of(excinfo)["date"][0]
    m = record(case, person, date=melding - dt.timedelta(days=30))
    assert m.date == melding - dt.timedelta(days=30)


def test_assessor_must_belong_to_the_case_team():
    case, person = case_with_adult()
    other_team_worker = StaffFactory()
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, assessor=other_team_worker)
    assert "team van deze casus" in errors_of(excinfo)["assessor"][0]
    assert record(case, person).assessor == case.regisseur  # defaults to the actor's own membership


def test_participatieladder_runs_from_one_to_six():
    case, person = case_with_adult()
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, participatieladder=7)
    assert errors_of(excinfo)["participatieladder"] == ["De participatieladder loopt van 1 tot en met 6."]
    assert record(case, person, participatieladder=4).participatieladder == 4


# --- Scores -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [0, 6, "7", 2.5, "drie", True])
def test_a_score_outside_one_to_five_is_refused_with_the_domain_named(bad):
    case, person = case_with_adult()
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, scores={"financien": bad, "justitie": 3})
    assert "Financiën: kies een score van 1 tot en met 5" in errors_of(excinfo)["score_financien"][0]
    assert not Measurement.objects.exists()


def test_an_unknown_domain_code_is_refused():
    case, person = case_with_adult()
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, scores={"dagbesteding": 3})  # a 2013 domain on a 2017 measurement
    assert "Onbekend domein 'dagbesteding'" in errors_of(excinfo)["scores"][0]


def test_niet_gescoord_is_accepted_without_forcing_the_other_domains():
    case, person = case_with_adult()
    m = record(case, person, scores={"financien": 4, "justitie": "niet_relevant", "middelengebruik": "onbekend"})
    assert m.status == MeasurementStatus.FINAL
    rows = {s.domain.code: (s.score, s.not_scored_reason) for s in m.scores.select_related("domain")}
    assert rows["financien"] == (4, "")
    assert rows["justitie"] == (None, "niet_relevant")
    assert rows["middelengebruik"] == (None, "onbekend")
    assert rows["huisvesting"] == (None, "onbekend")  # left open: recorded as niet gescoord (onbekend)
    assert len(rows) == 13


def test_vaststellen_needs_at_least_one_scored_domain():
    case, person = case_with_adult()
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, scores={"justitie": "niet_relevant"})
    assert "Scoor minstens één domein" in errors_of(excinfo)["scores"][0]
    draft = record(case, person, scores={"justitie": "niet_relevant"}, finalise=False)
    assert draft.status == MeasurementStatus.DRAFT  # a concept may be empty


def test_when_the_municipality_requires_all_domains_every_domain_needs_a_score():
    case, person = case_with_adult()
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_REQUIRE_ALL_DOMAINS": True}):
        with pytest.raises(ValidationError) as excinfo:
            record(case, person, scores=all_scores() | {"justitie": "niet_relevant"})
        assert list(k for k in errors_of(excinfo) if k.startswith("score_")) == ["score_justitie"]
        assert record(case, person, scores=all_scores()).status == MeasurementStatus.FINAL


def test_the_database_keeps_a_score_between_one_and_five_or_a_reason_but_not_both():
    case, person = case_with_adult()
    m = record(case, person, finalise=False, scores={})
    fin = domain("zrm-2017", "financien")
    for kwargs in ({"score": 6}, {"score": 0}, {"score": 3, "not_scored_reason": "onbekend"},
                   {"score": None, "not_scored_reason": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Score.objects.create(measurement=m, domain=fin, **kwargs)
    Score.objects.create(measurement=m, domain=fin, score=None, not_scored_reason="niet_relevant")


# --- Child module ------------------------------------------------------------------------------------

def test_child_module_is_offered_only_when_a_child_lives_at_home():
    case, person = case_with_adult(child=False)
    v2013 = version("zrm-2013")
    assert [d.code for d in selectors.offered_domains(v2013, case.household_id)] == CODES_2013
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, version_code="zrm-2013", scores={"financien": 3, "opvang": 2})
    assert "kindmodule" in errors_of(excinfo)["score_opvang"][0]

    child = MembershipFactory(household=case.household, role=MemberRole.CHILD, living_at_home=False)
    assert len(selectors.offered_domains(v2013, case.household_id)) == 11  # a child living elsewhere does not count
    HouseholdMembership.objects.filter(pk=child.pk).update(living_at_home=True)
    assert [d.code for d in selectors.offered_domains(v2013, case.household_id)] == CODES_2013 + CHILD_CODES
    m = record(case, person, version_code="zrm-2013", scores={"financien": 3, "opvang": 2})
    assert m.scores.count() == 15


# --- Draft -> vastgesteld, immutability ----------------------------------------------------------------

def test_a_concept_can_be_changed_and_then_finalised():
    case, person = case_with_adult()
    draft = record(case, person, finalise=False, scores={"financien": 2})
    result = services.update_draft(actor=actor_for(case), measurement=draft, date=draft.date, type="nulmeting",
                                   scores={"financien": 4, "justitie": 2})
    assert {s.domain.code: s.score for s in result.measurement.scores.select_related("domain")} == {
        "financien": 4, "justitie": 2}
    final = services.finalise_measurement(actor=actor_for(case), measurement=draft).measurement
    assert final.status == MeasurementStatus.FINAL and final.finalised_at is not None
    assert final.problem_domain_count == 1 and final.bucket == "1"


def test_a_finalised_measurement_cannot_be_changed_through_the_services():
    case, person = case_with_adult()
    m = record(case, person)
    with pytest.raises(ValidationError, match="vastgesteld"):
        services.update_draft(actor=actor_for(case), measurement=m, date=m.date, type="nulmeting",
                              scores={"financien": 5})
    with pytest.raises(ValidationError, match="vastgesteld"):
        services.finalise_measurement(actor=actor_for(case), measurement=m)
    with pytest.raises(ValidationError, match="vastgesteld"):
        services.discard_draft(actor=actor_for(case), measurement=m)
    assert set(m.scores.values_list("score", flat=True)) == {3}


def test_postgres_rejects_a_direct_update_or_delete_of_a_finalised_measurement_and_its_scores():
    case, person = case_with_adult()
    m = record(case, person)
    for sql in (
        "UPDATE zrm_measurement SET date = date - 1 WHERE id = %s",
        "UPDATE zrm_measurement SET status = 'concept' WHERE id = %s",
        "DELETE FROM zrm_measurement WHERE id = %s",
        "UPDATE zrm_score SET score = 5 WHERE measurement_id = %s",
        "DELETE FROM zrm_score WHERE measurement_id = %s",
    ):
        with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [m.pk])
    fin = domain("zrm-2017", "financien")
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO zrm_score (measurement_id, domain_id, score, not_scored_reason) "
                       "VALUES (%s, %s, 4, '')", [m.pk, fin.pk])
    m.refresh_from_db()
    assert m.status == MeasurementStatus.FINAL and set(m.scores.values_list("score", flat=True)) == {3}


def test_postgres_still_lets_a_concept_change_and_be_finalised():
    case, person = case_with_adult()
    draft = record(case, person, finalise=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE zrm_score SET score = 4 WHERE measurement_id = %s", [draft.pk])
        cursor.execute("UPDATE zrm_measurement SET date = date WHERE id = %s", [draft.pk])
    services.finalise_measurement(actor=actor_for(case), measurement=draft)
    assert set(Score.objects.filter(measurement=draft).values_list("score", flat=True)) == {4}


# --- Corrections ----------------------------------------------------------------------------------------

def test_a_correction_supersedes_the_original_and_both_are_kept_and_audited():
    case, person = case_with_adult()
    original = record(case, person, scores=all_scores(2))
    correction = record(case, person, scores=all_scores(4), supersedes=original,
                        correction_reason="Verkeerde persoon gescoord bij Financiën")
    assert Measurement.objects.count() == 2
    assert correction.supersedes == original and correction.version == original.version
    original.refresh_from_db()
    assert original.status == MeasurementStatus.FINAL
    assert set(original.scores.values_list("score", flat=True)) == {2}
    effective = list(selectors.effective(Measurement.objects.filter(person=person)))
    assert effective == [correction]
    actions = set(AuditEvent.objects.filter(object_type="measurement", object_id=str(original.pk))
                  .values_list("action", "purpose"))
    assert ("update", "ZRM-meting gecorrigeerd") in actions
    assert AuditEvent.objects.filter(object_type="measurement", object_id=str(correction.pk), action="create",
                                     purpose="ZRM-correctie").exists()


def test_a_correction_needs_a_reason_and_a_finalised_original_that_is_not_yet_corrected():
    case, person = case_with_adult()
    original = record(case, person)
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, supersedes=original, correction_reason=" ")
    assert errors_of(excinfo)["correction_reason"] == ["Geef de reden van de correctie."]
    draft = record(case, person, finalise=False)
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, supersedes=draft, correction_reason="typfout")
    assert "Alleen een vastgestelde meting" in errors_of(excinfo)["supersedes"][0]
    record(case, person, supersedes=original, correction_reason="typfout")
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, supersedes=original, correction_reason="nog een keer")
    assert "al gecorrigeerd" in errors_of(excinfo)["supersedes"][0]


def test_the_database_refuses_a_correction_without_reason():
    case, person = case_with_adult()
    original = record(case, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(person=person, case=case, version=original.version, date=original.date,
                                   type="nulmeting", assessor=original.assessor, supersedes=original,
                                   correction_reason="", created_by=case.regisseur.user)


# --- Warnings ---------------------------------------------------------------------------------------------

def test_a_person_on_a_benefit_scored_above_three_on_financien_gets_a_warning_not_a_block():
    case, person = case_with_adult()
    result = services.record_measurement(
        actor=actor_for(case), case=case, person=person, date=dt.date.today(), type="nulmeting",
        scores={"financien": 4}, income_source="uitkering", finalise=True,
    )
    assert result.measurement.status == MeasurementStatus.FINAL
    assert len(result.warnings) == 1 and "uitkering" in result.warnings[0] and "Financiën" in result.warnings[0]
    for income, score in (("uitkering", 3), ("werk", 5), ("", 4)):
        result = services.record_measurement(
            actor=actor_for(case), case=case, person=person, date=dt.date.today(), type="tussenmeting",
            scores={"financien": score}, income_source=income, finalise=False,
        )
        assert result.warnings == []


# --- Audit ------------------------------------------------------------------------------------------------

def test_create_and_finalise_write_audit_rows_with_person_and_case():
    case, person = case_with_adult()
    m = record(case, person)
    rows = AuditEvent.objects.filter(object_type="measurement", object_id=str(m.pk))
    assert set(rows.values_list("action", flat=True)) == {"create", "update"}
    assert all(r.person_id == person.pk and r.case_id == case.pk for r in rows)
    assert rows.filter(purpose="ZRM-meting vastgesteld").count() == 1


def test_a_closed_case_takes_only_an_afsluiting_or_follow_up():
    from cases import services as case_services
    from tests.factories import closure_reason

    case, person = case_with_adult()
    case = case_services.close_case(actor=actor_for(case), case=case, reason=closure_reason(),
                                    closed_on=dt.date.today())
    with pytest.raises(ValidationError) as excinfo:
        record(case, person, type="tussenmeting")
    assert "afgesloten casus" in errors_of(excinfo)["type"][0]
    assert record(case, person, type="afsluiting").type == "afsluiting"
