"""Helpers for reporting tests: teams with workers, cases in a given state, and ZRM measurements
written through the real zrm services (so derived values are the real ones).

`cells(...)` reads the stored aggregate cells as {(indicator, key1, key2, key3): (count, value, base)}.
"""
from __future__ import annotations

import datetime as dt

from cases.models import Case, CaseStatus, DirectorAssignment, MemberRole
from reporting.models import AggregateCell
from tests.factories import (
    CaseFactory,
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    StaffFactory,
    TeamFactory,
    closure_reason,
    melding_source,
)
from tests.zrm.factories import CODES_2013, CODES_2017, actor_for
from zrm import services as zrm_services
from zrm.models import InstrumentVersion

__all__ = ["CODES_2013", "CODES_2017", "cells", "make_case", "measure", "scores", "team_with_workers"]


def team_with_workers(*ftes, name: str | None = None):
    """A team with one sociaal werker per fte given (default one of 1.0); returns (team, [workers])."""
    team = TeamFactory(**({"name": name} if name else {}))
    workers = [StaffFactory(team=team, fte=fte) for fte in (ftes or (1,))]
    return team, workers


def make_case(worker, melding: dt.date, *, contact: dt.date | None = None, closed: dt.date | None = None,
              reason: str = "doelen_behaald", source: str = "zelfmelder", wijk: str = "Centrum",
              members: list[tuple[str, dt.date]] | None = None, reopened_from: Case | None = None) -> Case:
    """A case directed by `worker` since the melding, in the state the dates imply; members are
    (role, date of birth) pairs (default: one adult born 1985)."""
    household = reopened_from.household if reopened_from else HouseholdFactory(wijk=wijk)
    status = CaseStatus.CLOSED if closed else (CaseStatus.IN_PROGRESS if contact else CaseStatus.REGISTERED)
    case = CaseFactory(
        household=household, regisseur=worker, melding_date=melding, melding_source=melding_source(source),
        first_contact_date=contact, status=status, closed_on=closed,
        closure_reason=closure_reason(reason) if closed else None, reopened_from=reopened_from, members=False,
    )
    if closed:
        DirectorAssignment.objects.filter(case=case).update(ended_on=closed)
    if not reopened_from:
        for role, born in members or [(MemberRole.PARENT, dt.date(1985, 3, 14))]:
            MembershipFactory(household=household, role=role, person=PersonFactory(date_of_birth=born))
    return case


def adults(case: Case):
    return [m.person for m in case.household.memberships.filter(valid_to__isnull=True).order_by("pk")]


def scores(value=4, codes=CODES_2017, **overrides) -> dict:
    return {code: value for code in codes} | overrides


def measure(case: Case, person, day: dt.date, score_map: dict | None = None, *, type: str = "nulmeting",
            version: str = "zrm-2017", supersedes=None, reason: str = ""):
    """A vastgestelde measurement through zrm.services.record_measurement."""
    codes = CODES_2017 if version == "zrm-2017" else CODES_2013
    return zrm_services.record_measurement(
        actor=actor_for(case), case=case, person=person, date=day, type=type,
        scores=score_map if score_map is not None else scores(codes=codes),
        version=InstrumentVersion.objects.get(code=version), assessor=case.regisseur, finalise=True,
        supersedes=supersedes, correction_reason=reason,
    ).measurement


def cells(scope_kind: str, scope_key, period_kind: str, period_start: dt.date, indicator: str | None = None) -> dict:
    qs = AggregateCell.objects.filter(scope_kind=scope_kind, scope_key=str(scope_key), period_kind=period_kind,
                                      period_start=period_start)
    if indicator:
        qs = qs.filter(indicator=indicator)
    return {(c.indicator, c.key1, c.key2, c.key3): (c.count, c.value, c.base) for c in qs}


def all_cells() -> set:
    """Every stored cell as a comparable tuple (values rounded against float noise)."""
    return {
        (c.scope_kind, c.scope_key, c.period_kind, c.period_start, c.indicator, c.key1, c.key2, c.key3, c.count,
         None if c.value is None else round(c.value, 9), c.base)
        for c in AggregateCell.objects.all()
    }


def bulk_cases(team, workers, count: int, today: dt.date, *, start: int = 0) -> list[Case]:
    """`count` open cases in `team` with one adult each, a vastgestelde nulmeting and (for every other
    case) a tussenmeting, and some overdue plan reviews: bulk inserts only, fast for 1,000 cases."""
    from cases.models import Household, HouseholdMembership, Person, Plan
    from zrm.derived import derive
    from zrm.models import Domain, Measurement, Score

    version = InstrumentVersion.objects.get(code="zrm-2017")
    domains = list(Domain.objects.filter(version=version).order_by("order"))
    households = Household.objects.bulk_create([
        Household(postcode="9711AB", house_number=start + i + 1, street="Bulkstraat", city="Groningen", wijk="Centrum")
        for i in range(count)])
    persons = Person.objects.bulk_create([
        Person(first_name="Bulk", last_name=f"Persoon{start + i}", date_of_birth=dt.date(1980 + i % 30, 1 + i % 12, 1))
        for i in range(count)])
    HouseholdMembership.objects.bulk_create([
        HouseholdMembership(household=h, person=p, role=MemberRole.PARENT, valid_from=dt.date(2020, 1, 1))
        for h, p in zip(households, persons)])
    cases = Case.objects.bulk_create([
        Case(household=h, team=team, regisseur=workers[i % len(workers)],
             melding_date=today - dt.timedelta(days=20 + i % 200), melding_source=melding_source(),
             status=CaseStatus.IN_PROGRESS, first_contact_date=today - dt.timedelta(days=15 + i % 200))
        for i, h in enumerate(households)])
    DirectorAssignment.objects.bulk_create([
        DirectorAssignment(case=c, regisseur=c.regisseur, started_on=c.melding_date, reason="Eerste toewijzing",
                           assigned_by=c.regisseur.user) for c in cases])
    Plan.objects.bulk_create([
        Plan(case=c, version=1, status="vastgesteld", finalised_on=c.melding_date + dt.timedelta(days=10),
             review_date=today - dt.timedelta(days=3)) for c in cases[::3]])
    rows = []
    for i, (case, person) in enumerate(zip(cases, persons)):
        values = [1 + (i + k) % 5 for k in range(len(domains))]
        rows.append((case, person, case.melding_date + dt.timedelta(days=5), "nulmeting", values))
        if i % 2 == 0:
            rows.append((case, person, today - dt.timedelta(days=2), "tussenmeting", [min(5, v + 1) for v in values]))
    measurements = []
    for case, person, day, kind, values in rows:
        d = derive([(domain.cluster, value) for domain, value in zip(domains, values)])
        measurements.append(Measurement(
            person=person, case=case, version=version, date=day, type=kind, assessor=case.regisseur,
            created_by=case.regisseur.user, problem_domain_count=d.problem_domain_count,
            acute_domain_count=d.acute_domain_count, bucket=d.bucket, cluster_scores=d.cluster_scores,
            household_category=d.household_category))
    Measurement.objects.bulk_create(measurements, batch_size=500)
    Score.objects.bulk_create([
        Score(measurement=m, domain=domain, score=value)
        for m, (_, _, _, _, values) in zip(measurements, rows) for domain, value in zip(domains, values)
    ], batch_size=2000)
    # Vaststellen last: PostgreSQL refuses scores added to a vastgestelde measurement.
    from django.utils import timezone
    Measurement.objects.filter(pk__in=[m.pk for m in measurements]).update(status="vastgesteld",
                                                                           finalised_at=timezone.now())
    return cases
