"""Twenty people press the same button at the same moment (PostgreSQL, one connection per thread).

Each race leaves the invariants intact, and every loser gets a clear Dutch ValidationError:
never an IntegrityError, a deadlock or a 500.
"""
from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.crypto import bsn_lookup_hash
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DirectorAssignment,
    Household,
    Person,
    StaffMembership,
)
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from tests.factories import (
    CaseFactory,
    StaffFactory,
    closure_reason,
    melding_source,
    valid_bsn,
)
from tests.zrm.factories import actor_for, case_with_adult, record
from zrm import derived, selectors as zrm_selectors, services as zrm_services
from zrm.models import Measurement, MeasurementStatus, Score

from .concurrency import race

ATTEMPTS = 20

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def losers_of(outcomes):
    return [o for o in outcomes if o.error is not None]


def assert_clear_dutch_errors(losers, allowed_messages):
    """Every loser got a ValidationError with one of the expected Dutch messages (no raw database error)."""
    for loser in losers:
        assert isinstance(loser.error, ValidationError), (
            f"attempt {loser.index} got {type(loser.error).__name__}: {loser.error}")
        assert set(loser.error.messages) <= set(allowed_messages), loser.error.messages


def test_twenty_simultaneous_director_transfers_leave_exactly_one_current_director():
    case = CaseFactory()
    team = case.team
    leader = StaffFactory(leader=True, team=team)
    colleagues = [StaffFactory(team=team) for _ in range(4)] + [leader]
    targets = [colleagues[i % len(colleagues)] for i in range(ATTEMPTS)]

    def prepare(i):  # each attempt reads the case and the colleague as its own request would
        return Case.objects.get(pk=case.pk), StaffMembership.objects.get(pk=targets[i].pk)

    def act(i, prepared):
        stale_case, target = prepared
        return services.transfer_director(actor=Actor(user=leader.user), case=stale_case, regisseur=target,
                                          reason=f"Herverdeling caseload {i}")

    outcomes = race(ATTEMPTS, prepare, act)

    winners = [o for o in outcomes if o.error is None]
    assert_clear_dutch_errors(losers_of(outcomes), {"Deze medewerker is al de regisseur."})
    assert winners, "no transfer succeeded"

    case.refresh_from_db()
    history = list(DirectorAssignment.objects.filter(case=case).order_by("pk"))
    current = [a for a in history if a.ended_on is None]
    assert len(current) == 1
    assert case.regisseur_id == current[0].regisseur_id == history[-1].regisseur_id
    # Every successful transfer added one link to the chain, and no link hands over to the same person.
    assert len(history) == 1 + len(winners)
    assert all(a.regisseur_id != b.regisseur_id for a, b in pairwise(history))
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.TRANSFER).count() == len(winners)
    assert AuditEvent.objects.filter(case=case, object_type="case", action=AuditAction.UPDATE).count() == len(winners)


def test_twenty_simultaneous_meldings_for_one_household_open_exactly_one_case():
    old = CaseFactory(melding_date=dt.date.today() - dt.timedelta(days=100))
    actor = Actor(user=old.regisseur.user)
    services.close_case(actor=actor, case=old, reason=closure_reason(), closed_on=dt.date.today() - dt.timedelta(days=50))
    household = old.household
    team = old.team
    workers = [old.regisseur] + [StaffFactory(team=team) for _ in range(3)]

    def prepare(i):
        worker = StaffMembership.objects.select_related("team", "user").get(pk=workers[i % len(workers)].pk)
        return worker, Household.objects.get(pk=household.pk), melding_source("huisarts_poh")

    def act(i, prepared):
        worker, stale_household, source = prepared
        return services.register_melding(
            actor=Actor(user=worker.user), team=worker.team, melding_date=dt.date.today(),
            melding_source=source, regisseur=worker, household=stale_household,
        )

    outcomes = race(ATTEMPTS, prepare, act)

    winners = [o for o in outcomes if o.error is None]
    losers = losers_of(outcomes)
    assert len(winners) == 1
    assert_clear_dutch_errors(losers, {services.MSG_OPEN_CASE})
    new_case = winners[0].result
    # Each loser is told which case is open, so the screen can open it instead of a duplicate.
    assert all(isinstance(o.error, services.OpenCaseExists) and o.error.case.pk == new_case.pk for o in losers)

    open_cases = Case.objects.filter(household=household).exclude(status=CaseStatus.CLOSED)
    assert list(open_cases.values_list("pk", flat=True)) == [new_case.pk]
    assert Case.objects.filter(household=household).count() == 2
    assert Case.objects.get(pk=new_case.pk).reopened_from_id == old.pk
    assignments = DirectorAssignment.objects.filter(case=new_case)
    assert assignments.count() == 1 and assignments.get().ended_on is None
    assert assignments.get().regisseur_id == Case.objects.get(pk=new_case.pk).regisseur_id
    assert AuditEvent.objects.filter(object_type="case", action=AuditAction.CREATE,
                                     object_id=str(new_case.pk)).count() == 1
    assert AuditEvent.objects.filter(object_type="case", action=AuditAction.CREATE).count() == 1


def test_twenty_simultaneous_new_households_with_the_same_bsn_register_one_person():
    worker = StaffFactory()
    bsn = valid_bsn()

    def prepare(i):
        return StaffMembership.objects.select_related("team", "user").get(pk=worker.pk), melding_source()

    def act(i, prepared):
        staff, source = prepared
        data = services.HouseholdData(
            postcode="9711 AB", house_number=100 + i, street="Oosterstraat", city="Groningen",
            members=[services.PersonData(first_name="Fatima", last_name="El Amrani",
                                         date_of_birth=dt.date(1984, 4, 4), role="ouder", bsn=bsn)],
        )
        return services.register_melding(
            actor=Actor(user=staff.user), team=staff.team, melding_date=dt.date.today(),
            melding_source=source, regisseur=staff, new_household=data,
        )

    outcomes = race(ATTEMPTS, prepare, act)

    winners = [o for o in outcomes if o.error is None]
    losers = losers_of(outcomes)
    assert len(winners) == 1
    assert_clear_dutch_errors(losers, {services.MSG_BSN_TAKEN})
    assert all(o.error.message_dict == {"members-0-bsn": [services.MSG_BSN_TAKEN]} for o in losers)
    # Nothing half-saved by a loser: one person, one household, one case.
    assert Person.objects.filter(bsn_hash=bsn_lookup_hash(bsn)).count() == 1
    assert Household.objects.count() == 1 and Case.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="household").count() == 1


def test_twenty_simultaneous_finalisations_of_one_draft_measurement_finalise_it_once():
    case, adult = case_with_adult()
    draft = record(case, adult, finalise=False, scores={"financien": 2, "huisvesting": 1, "justitie": "niet_relevant",
                                                        "sociaal_netwerk": 4})
    offered = zrm_selectors.offered_domains(draft.version, case.household_id)
    team_members = [case.regisseur] + [StaffFactory(team=case.team) for _ in range(3)]

    def prepare(i):
        staff = StaffMembership.objects.select_related("user").get(pk=team_members[i % len(team_members)].pk)
        return Actor(user=staff.user), Measurement.objects.get(pk=draft.pk)

    def act(i, prepared):
        actor, stale_draft = prepared
        return zrm_services.finalise_measurement(actor=actor, measurement=stale_draft)

    outcomes = race(ATTEMPTS, prepare, act)

    winners = [o for o in outcomes if o.error is None]
    assert len(winners) == 1
    assert_clear_dutch_errors(losers_of(outcomes), {zrm_services.MSG_IMMUTABLE})

    final = Measurement.objects.get(pk=draft.pk)
    assert final.status == MeasurementStatus.FINAL and final.finalised_at is not None
    # Derived values stored once: one score row per offered domain, and the derived fields match them.
    scores = list(Score.objects.filter(measurement=final).select_related("domain"))
    assert sorted(s.domain.code for s in scores) == sorted(d.code for d in offered)
    expected = derived.derive([(s.domain.cluster, s.score) for s in scores])
    assert (final.problem_domain_count, final.acute_domain_count, final.bucket, final.household_category) == (
        expected.problem_domain_count, expected.acute_domain_count, expected.bucket, expected.household_category)
    assert final.cluster_scores == expected.cluster_scores
    assert (final.problem_domain_count, final.acute_domain_count) == (2, 1)
    # One "vastgesteld" audit row, by the winner.
    finalised_rows = AuditEvent.objects.filter(object_type="measurement", object_id=str(final.pk),
                                               action=AuditAction.UPDATE, purpose="ZRM-meting vastgesteld")
    assert finalised_rows.count() == 1
    assert finalised_rows.get().user_id == final.finalised_by_id == winners[0].result.measurement.finalised_by_id


def test_twenty_simultaneous_corrections_of_one_measurement_keep_one_correction():
    case, adult = case_with_adult()
    original = record(case, adult, scores={"financien": 2})

    def prepare(i):
        return Measurement.objects.select_related("version").get(pk=original.pk)

    def act(i, stale_original):
        return zrm_services.record_measurement(
            actor=actor_for(case), case=case, person=adult, date=dt.date.today(), type="nulmeting",
            scores={"financien": 3}, supersedes=stale_original, correction_reason=f"Verkeerd domein gescoord ({i})",
            finalise=True,
        )

    outcomes = race(ATTEMPTS, prepare, act)

    winners = [o for o in outcomes if o.error is None]
    assert len(winners) == 1
    assert_clear_dutch_errors(losers_of(outcomes), {
        "Deze meting is al gecorrigeerd (of er staat een correctie in concept klaar).",
    })
    corrections = Measurement.objects.filter(supersedes=original)
    assert corrections.count() == 1 and corrections.get().status == MeasurementStatus.FINAL
    assert Measurement.objects.filter(case=case).count() == 2
    assert Measurement.objects.get(pk=original.pk).status == MeasurementStatus.FINAL
