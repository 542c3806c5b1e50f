"""Retention: N years after a household's last case closed, its persons are anonymised and its free text
deleted, while cases, measurements and interventions stay for reporting. Idempotent, audited without
personal data, with a dry run."""
import datetime as dt
import io

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from cases import retention, services
from cases.models import (
    Agreement,
    Case,
    CaseEvent,
    CaseStatus,
    Consent,
    DirectorAssignment,
    Escalation,
    FamilyApproach,
    Goal,
    Household,
    HouseholdMembership,
    Intervention,
    InterventionType,
    LowDomainReason,
    MemberRole,
    NetworkAssessment,
    NetworkMember,
    Person,
    Plan,
    SafetyOverride,
)
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, MembershipFactory, StaffFactory, closure_reason
from tests.zrm.factories import all_scores, domain, record
from zrm.models import Measurement, Score

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
NAMES = ("Jansen", "Mien", "Piet", "Kerkstraat", "Kredietbank", "Zorgmijder", "weigert", "Trijntje", "ruzie", "Eerste")


def years_before(day: dt.date, years: int) -> dt.date:
    return retention.cutoff_date(day, years)


def old_household(closed_years_ago=16, *, closed_on=None):
    """A household with one closed case full of free text, closed `closed_years_ago` years ago."""
    closed_on = closed_on or years_before(TODAY, closed_years_ago)
    melding = closed_on - dt.timedelta(days=200)
    director = StaffFactory()
    leader = StaffFactory(leader=True, team=director.team)
    case = CaseFactory(regisseur=director, members=False, melding_date=melding, household__street="Kerkstraat",
                       household__postcode="9711AB", household__house_number=7, household__house_number_addition="a")
    household = case.household
    adult = MembershipFactory(household=household, role=MemberRole.PARENT, person__first_name="Jan",
                              person__last_name="Jansen", person__date_of_birth=dt.date(1970, 8, 23)).person
    child = MembershipFactory(household=household, role=MemberRole.CHILD, person__first_name="Piet",
                              person__last_name="Jansen", person__date_of_birth=dt.date(2005, 3, 2)).person
    actor = Actor(user=director.user)
    measurement = record(case, adult, scores={**all_scores(4), "financien": 2}, date=melding + dt.timedelta(days=10))
    CaseEvent.objects.create(case=case, kind="overig", occurred_on=melding, description="Eerste gesprek met Jansen",
                             actor=director.user)
    DirectorAssignment.objects.filter(case=case).update(reason="Eerste toewijzing aan Jansen-expert")
    plan = Plan.objects.create(case=case, version=1, own_responsibility="Jan regelt de post van Jansen",
                               evaluation="Goed gegaan met Piet")
    plan.covered_persons.set([adult, child])
    Goal.objects.create(plan=plan, person=adult, domain=domain("zrm-2017", "financien"),
                        description="Schulden bij Kredietbank oplossen", actor_type="netwerk", actor_name="Tante Mien")
    Agreement.objects.create(plan=plan, actor_type="netwerk", actor_name="Mien", description="Mien helpt Jan")
    LowDomainReason.objects.create(plan=plan, person=adult, domain=domain("zrm-2017", "huisvesting"), reason="overig",
                                   explanation="Jan wil niet verhuizen")
    LowDomainReason.objects.create(plan=plan, person=adult, domain=domain("zrm-2017", "justitie"),
                                   reason="geen_hulpvraag", explanation="Piet zegt niets")
    NetworkAssessment.objects.create(plan=plan, reason_not_used="Familie heeft ruzie")
    NetworkMember.objects.create(household=household, name="Mien Jansen", relation="tante",
                                 agreed_contribution="Boodschappen voor Jan")
    FamilyApproach.objects.create(case=case, person=child, spoken_to=False, reason_not_spoken="Piet logeert bij oma Trijntje")
    SafetyOverride.objects.create(case=case, team_leader=leader, reason="Moeder weigert gesprek", recorded_on=melding)
    intervention = Intervention.objects.create(
        case=case, person=adult, type=InterventionType.objects.get(code="schuldhulpverlening"),
        provider="Kredietbank Jansen", team_action="gestart", deliverer="extern", start_date=melding)
    Escalation.objects.create(case=case, kind="huisuitzetting", prevented=True, prevented_by=intervention,
                              date=melding + dt.timedelta(days=20), note="Verhuurder van Jansen")
    Consent.objects.create(household=household, purpose="overig", description="Gesprek met school van Piet",
                           given_on=melding, recorded_by=director.user)
    Consent.objects.create(household=household, purpose="informatiedeling", description="Mien mag mee",
                           given_on=melding, recorded_by=director.user)
    Case.objects.filter(pk=case.pk).update(bemoeizorg_reason="Zorgmijder")
    case.refresh_from_db()
    services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=closed_on)
    return {"case": case, "household": household, "adult": adult, "child": child, "measurement": measurement,
            "closed_on": closed_on}


def snapshot_numbers():
    return {
        "cases": list(Case.objects.order_by("pk").values_list("pk", "status", "melding_date", "closed_on",
                                                              "closure_reason_id", "team_id")),
        "measurements": list(Measurement.objects.order_by("pk").values_list(
            "pk", "person_id", "date", "type", "status", "problem_domain_count", "household_category")),
        "scores": Score.objects.count(),
        "interventions": list(Intervention.objects.order_by("pk").values_list("pk", "type_id", "team_action",
                                                                               "start_date")),
        "escalations": list(Escalation.objects.order_by("pk").values_list("pk", "kind", "prevented", "date")),
        "memberships": list(HouseholdMembership.objects.order_by("pk").values_list("pk", "household_id",
                                                                                    "person_id", "role")),
        "consents": list(Consent.objects.order_by("pk").values_list("pk", "purpose", "given_on", "withdrawn_on")),
        "goals": Goal.objects.count(), "agreements": Agreement.objects.count(), "events": CaseEvent.objects.count(),
    }


def test_a_household_whose_last_case_closed_n_years_ago_is_anonymised():
    old = old_household(16)
    report = retention.apply_retention(today=TODAY)
    assert (report.households, report.persons, report.cases) == (1, 2, 1)
    adult, child = Person.objects.get(pk=old["adult"].pk), Person.objects.get(pk=old["child"].pk)
    for person, year in ((adult, 1970), (child, 2005)):
        assert (person.first_name, person.name_prefix, person.last_name, person.bsn, person.date_of_birth) == (
            retention.ANONYMISED_FIRST_NAME, "", retention.ANONYMISED_LAST_NAME, None, dt.date(year, 1, 1))
    household = Household.objects.get(pk=old["household"].pk)
    assert (household.street, household.house_number_addition, household.postcode, household.anonymised_on) == (
        "", "", "9711", TODAY)
    assert HouseholdMembership.objects.filter(household=household).count() == 2  # composition kept


def test_free_text_is_deleted_and_the_numbers_stay():
    old = old_household(16)
    before = snapshot_numbers()
    retention.apply_retention(today=TODAY)
    assert snapshot_numbers() == before
    case = Case.objects.get(pk=old["case"].pk)
    assert case.bemoeizorg_reason == "" and case.status == CaseStatus.CLOSED
    assert set(CaseEvent.objects.filter(case=case).values_list("description", flat=True)) == {""}
    assert set(DirectorAssignment.objects.filter(case=case).values_list("reason", flat=True)) == {""}
    assert list(Plan.objects.values_list("own_responsibility", "evaluation")) == [("", "")]
    assert list(Goal.objects.values_list("description", "actor_name")) == [(retention.REMOVED, "")]
    assert list(Agreement.objects.values_list("description", "actor_name")) == [(retention.REMOVED, "")]
    assert sorted(LowDomainReason.objects.values_list("reason", "explanation")) == [
        ("geen_hulpvraag", ""), ("overig", retention.REMOVED)]
    assert list(NetworkAssessment.objects.values_list("reason_not_used", flat=True)) == [""]
    assert list(NetworkMember.objects.values_list("name", "relation", "agreed_contribution")) == [
        (retention.REMOVED, "", "")]
    assert list(FamilyApproach.objects.values_list("reason_not_spoken", flat=True)) == [retention.REMOVED]
    assert list(SafetyOverride.objects.values_list("reason", flat=True)) == [retention.REMOVED]
    assert list(Escalation.objects.values_list("note", flat=True)) == [""]
    assert list(Intervention.objects.values_list("provider", flat=True)) == [""]
    assert sorted(Consent.objects.values_list("purpose", "description")) == [
        ("informatiedeling", ""), ("overig", retention.REMOVED)]
    # No trace of the names anywhere in the household's rows.
    rows = [Person.objects.filter(pk__in=[old["adult"].pk, old["child"].pk]).values(),
            Household.objects.values(), CaseEvent.objects.values(), Plan.objects.values(), Goal.objects.values(),
            Agreement.objects.values(), LowDomainReason.objects.values(), NetworkMember.objects.values(),
            NetworkAssessment.objects.values(), FamilyApproach.objects.values(), SafetyOverride.objects.values(),
            Escalation.objects.values(), Intervention.objects.values(), Consent.objects.values(),
            DirectorAssignment.objects.values(), Case.objects.values()]
    text = " ".join(str(list(qs)) for qs in rows)
    for name in NAMES:
        assert name not in text, name
    assert old["adult"].bsn not in text and old["child"].bsn not in text


def test_the_cut_off_is_n_years_after_the_last_closing_to_the_day():
    closed_on = dt.date(2010, 6, 15)
    old_household(closed_on=closed_on)
    assert retention.apply_retention(today=dt.date(2025, 6, 14)).households == 0
    assert Person.objects.filter(last_name="Jansen").count() == 2
    assert retention.apply_retention(today=dt.date(2025, 6, 15)).households == 1
    assert not Person.objects.filter(last_name="Jansen").exists()


def test_a_29_february_cut_off_falls_back_to_28_february():
    assert retention.cutoff_date(dt.date(2024, 2, 29), 15) == dt.date(2009, 2, 28)
    assert retention.cutoff_date(dt.date(2025, 3, 1), 15) == dt.date(2010, 3, 1)


def test_recent_and_open_households_are_left_alone():
    recent = old_household(14)
    reopened = old_household(16)
    CaseFactory(household=reopened["household"], regisseur=StaffFactory(), melding_date=TODAY, members=False)
    report = retention.apply_retention(today=TODAY)
    assert report.households == 0
    for old in (recent, reopened):
        assert Person.objects.get(pk=old["adult"].pk).last_name == "Jansen"
        assert Household.objects.get(pk=old["household"].pk).anonymised_on is None
        assert Goal.objects.filter(plan__case=old["case"], description="Schulden bij Kredietbank oplossen").exists()


def test_the_years_come_from_the_setting(settings):
    old_household(16)
    settings.WIJKREGIE = {**django_settings.WIJKREGIE, "RETENTION_YEARS": 20}
    assert retention.apply_retention(today=TODAY).households == 0
    settings.WIJKREGIE = {**django_settings.WIJKREGIE, "RETENTION_YEARS": 15}
    assert retention.apply_retention(today=TODAY).households == 1


def test_a_person_who_also_belongs_to_a_live_household_keeps_their_data():
    old = old_household(16)
    live = CaseFactory(members=False, regisseur=StaffFactory())
    MembershipFactory(household=live.household, person=old["adult"], role=MemberRole.PARENT, valid_from=TODAY)
    report = retention.apply_retention(today=TODAY)
    assert (report.households, report.persons) == (1, 1)
    adult = Person.objects.get(pk=old["adult"].pk)
    assert (adult.first_name, adult.last_name, adult.bsn) == ("Jan", "Jansen", old["adult"].bsn)
    assert Person.objects.get(pk=old["child"].pk).last_name == retention.ANONYMISED_LAST_NAME
    # Years later the live household is due too: then the adult is anonymised as well.
    services.close_case(actor=Actor(user=live.regisseur.user), case=live, reason=closure_reason(), closed_on=TODAY)
    later = retention.apply_retention(today=years_before(TODAY, -16))
    assert (later.households, later.persons) == (1, 1)
    assert Person.objects.get(pk=old["adult"].pk).bsn is None


def test_running_twice_changes_nothing_the_second_time():
    old_household(16)
    first = retention.apply_retention(today=TODAY)
    rows = AuditEvent.objects.count()
    state = (list(Person.objects.order_by("pk").values()), list(Household.objects.order_by("pk").values()),
             list(Goal.objects.values()), list(CaseEvent.objects.order_by("pk").values()))
    second = retention.apply_retention(today=TODAY)
    assert first.households == 1 and (second.households, second.persons, second.cases) == (0, 0, 0)
    assert AuditEvent.objects.count() == rows
    assert state == (list(Person.objects.order_by("pk").values()), list(Household.objects.order_by("pk").values()),
                     list(Goal.objects.values()), list(CaseEvent.objects.order_by("pk").values()))


def test_a_dry_run_counts_without_changing_anything():
    old_household(16)
    old_household(17)
    old_household(3)
    rows = AuditEvent.objects.count()
    report = retention.apply_retention(today=TODAY, dry_run=True)
    assert (report.households, report.persons, report.cases, report.dry_run) == (2, 4, 2, True)
    assert Person.objects.filter(last_name="Jansen").count() == 6 and AuditEvent.objects.count() == rows
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Zou anonimiseren: 2 huishoudens, 4 personen, 2 casussen" in out.getvalue()
    assert Person.objects.filter(last_name="Jansen").count() == 6


def test_small_batches_do_the_same_work():
    for years in (16, 17, 18):
        old_household(years)
    report = retention.apply_retention(today=TODAY, batch_size=2)
    assert (report.households, report.persons) == (3, 6)
    assert AuditEvent.objects.filter(object_type="bewaartermijn").count() == 2  # one row per batch
    assert not Person.objects.filter(last_name="Jansen").exists()


def test_each_run_is_logged_without_personal_data():
    old = old_household(16)
    retention.apply_retention(today=TODAY)
    row = AuditEvent.objects.get(object_type="bewaartermijn")
    assert (row.action, row.user, row.client, row.purpose, row.person_id, row.case_id) == (
        AuditAction.DELETE, None, "systeem:bewaartermijn", retention.PURPOSE_RETENTION, None, None)
    assert row.object_id == "huishoudens=1 personen=2 casussen=1"
    text = str(AuditEvent.objects.filter(pk=row.pk).values().get())
    for secret in (old["adult"].bsn, "Jansen", "Jan", "Kerkstraat", "1970"):
        assert secret not in text


def test_the_nightly_task_runs_the_service_and_is_on_the_beat_schedule():
    from cases import tasks

    old_household(16)
    entry = django_settings.CELERY_BEAT_SCHEDULE["cases-apply-retention"]
    assert entry["task"] == "cases.tasks.apply_retention" == tasks.apply_retention.name
    result = tasks.apply_retention.delay().get()
    assert result["households"] == 1 and result["persons"] == 2
    assert tasks.apply_retention.delay().get()["households"] == 0  # redelivered or repeated: nothing left
