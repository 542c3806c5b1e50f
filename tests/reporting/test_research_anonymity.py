"""A research extract that is really pseudonymous (issue 15, finding 8; issue 16, household type).

On exact values 586 of 597 combinations of birth year, 4-digit postcode and melding date in the extract
were unique: the pseudonym was a name. Here k is computed over everything the extract publishes (every
page), on the demo data and on generated data, and every combination of the quasi-identifiers must hold
at least k persons. The household type is the aggregates' one, on the melding date.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cases.models import Case, CaseStatus, Household, HouseholdMembership, MemberRole, Person
from common.services import create_api_client
from reporting import research, services
from reporting.models import CaseFact
from reporting.research.anonymity import LADDER, QUASI_IDENTIFIERS, QuasiRecord, anonymise, generalise
from tests.factories import StaffFactory, TeamFactory, melding_source
from tests.reporting.factories import make_case, team_with_workers

pytestmark = pytest.mark.django_db
URL = "/api/v1/onderzoeksbestand"
# Everything in a row an outsider can know about a resident, under today's names and the former ones.
QUASI_FIELDS = ("birthYear", "ageBand", "role", "team", "wijk", "postcodeArea", "householdType", "meldingDate",
                "meldingPeriod")
DEFAULT_K = 5
EXACT_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def extract() -> tuple[list[dict], str]:
    """Every row of the extract (all pages) and the client's pseudonym key."""
    client, token = create_api_client(name=f"Universiteit {Case.objects.count()}", scopes=["onderzoek.lezen"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    rows, page = [], 1
    while True:
        response = api.get(URL, {"doel": "Evaluatie wijkteams", "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows, client.pseudonym_key
        page += 1


def assert_no_exact_dates(rows: list[dict]):
    assert not EXACT_DATE.search(json.dumps(rows)), "an exact date in the extract"


def smallest_class(rows: list[dict]) -> tuple[int, tuple]:
    persons = defaultdict(set)
    for row in rows:
        persons[tuple(row.get(field) for field in QUASI_FIELDS)].add(row["personPseudonym"])
    size, key = min((len(members), key) for key, members in persons.items())
    return size, key


# --- the demo data -----------------------------------------------------------------------------------------

def test_the_demo_extract_is_k_anonymous_and_uses_the_aggregates_household_type():
    from demo import small

    small.seed("demo")
    services.rebuild_all(on=timezone.localdate())
    rows, key = extract()
    size, combination = smallest_class(rows)
    assert size >= DEFAULT_K, f"a combination of quasi-identifiers with {size} persons: {combination}"
    assert_no_exact_dates(rows)
    assert django_settings.WIJKREGIE["RESEARCH_K_ANONYMITY"] == DEFAULT_K
    persons = HouseholdMembership.objects.filter(valid_to__isnull=True).count()
    assert len(rows) >= 0.9 * persons  # generalised, not emptied
    # The household type is the aggregates' (issue 16): the same for every case.
    fact_types = {research.pseudonym(key, "case", case_id): household_type
                  for case_id, household_type in CaseFact.objects.values_list("case_id", "household_type")}
    assert {row["householdType"] for row in rows} - {None}
    for row in rows:
        assert row["householdType"] in (None, fact_types[row["casePseudonym"]])


# --- the household type on the melding date (issue 16) ------------------------------------------------------

def test_a_parent_born_1955_with_a_child_melding_2015_is_a_gezin_in_the_extract_as_in_the_aggregates(settings):
    settings.WIJKREGIE = {**settings.WIJKREGIE, "RESEARCH_K_ANONYMITY": 1}
    team, (worker,) = team_with_workers(1)
    case = make_case(worker, dt.date(2015, 6, 1), contact=dt.date(2015, 6, 3),
                     members=[(MemberRole.PARENT, dt.date(1955, 1, 1)), (MemberRole.CHILD, dt.date(2005, 1, 1))])
    services.rebuild_all(on=timezone.localdate())
    assert CaseFact.objects.get(case=case).household_type == "gezin"
    rows, _ = extract()
    assert [row["householdType"] for row in rows] == ["gezin", "gezin"]
    assert sorted(row["ageBand"] for row in rows) == ["10-14", "60-64"]  # ages on the melding date
    assert_no_exact_dates(rows)


# --- generated data: the pure scheme -------------------------------------------------------------------------

ROLES = [MemberRole.PARENT.value, MemberRole.PARTNER.value, MemberRole.CHILD.value, MemberRole.OTHER.value]
START = dt.date(2020, 1, 1)

records_strategy = st.lists(
    st.tuples(st.integers(1, 60), st.integers(1, 80), st.integers(-1, 100), st.sampled_from(ROLES),
              st.sampled_from(["Wijkteam Noord", "Wijkteam Zuid"]), st.sampled_from(["Centrum", "Oost", ""]),
              st.sampled_from(["9711AB", "9712CD", "9721EF", "8011XY"]), st.integers(0, 3 * 365),
              st.sampled_from(["gezin", "ouderen", "overig"])),
    max_size=250, unique_by=lambda t: (t[0], t[1]),
).map(lambda items: [QuasiRecord(c, p, age, role, team, wijk, postcode, START + dt.timedelta(days=d), ht)
                     for c, p, age, role, team, wijk, postcode, d, ht in items])


@settings(max_examples=300, deadline=None)
@given(records=records_strategy, k=st.integers(1, 10), budget=st.sampled_from([0.0, 0.05, 0.2, 1.0]))
def test_every_published_class_holds_at_least_k_persons(records, k, budget):
    released = anonymise(records, k=k, max_suppression=budget)
    by_key = {(r.case_id, r.person_id): r for r in records}
    persons = defaultdict(set)
    for (case_id, person_id), row in released.published.items():
        assert row == generalise(by_key[case_id, person_id], released.step, 18, 65)
        persons[tuple(row[name] for name in QUASI_IDENTIFIERS)].add(person_id)
    assert all(len(members) >= k for members in persons.values())
    assert len(released.published) + released.suppressed == len(records)
    # The first step of the ladder within the suppression budget (a coarser one only when needed).
    index = LADDER.index(released.step)
    if released.suppressed <= budget * len(records):
        for earlier in LADDER[:index]:
            assert anonymise_at(records, earlier, k) > budget * len(records)


def anonymise_at(records, step, k) -> int:
    persons = defaultdict(set)
    keys = []
    for record in records:
        row = generalise(record, step, 18, 65)
        key = tuple(row[name] for name in QUASI_IDENTIFIERS)
        keys.append(key)
        persons[key].add(record.person_id)
    return sum(1 for key in keys if len(persons[key]) < k)


# --- generated data: through the API -----------------------------------------------------------------------

class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@pytest.fixture
def teams():
    return [StaffFactory(team=TeamFactory(name=name)) for name in ("Wijkteam Noord", "Wijkteam Zuid")]


households_strategy = st.lists(
    st.tuples(st.integers(0, 1), st.sampled_from(["9711AB", "9712CD", "9721EF"]), st.sampled_from(["Centrum", "Oost"]),
              st.integers(0, 2 * 365),
              st.lists(st.tuples(st.sampled_from(ROLES), st.integers(1935, 2022), st.booleans()),
                       min_size=1, max_size=4)),
    min_size=1, max_size=30,
)


TWELVE_FAMILIES = [(n % 2, "9711AB", "Centrum", 30 * n, [("ouder", 1980 + n, True), ("kind", 2012, True)])
                   for n in range(12)]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(households=households_strategy)
@example(households=TWELVE_FAMILIES)
def test_the_api_extract_of_generated_registrations_is_k_anonymous(teams, households):
    k = DEFAULT_K
    with rolled_back():
        for n, (team, postcode, wijk, day, members) in enumerate(households):
            household = Household.objects.create(postcode=postcode, house_number=n + 1, street="Teststraat",
                                                 city="Groningen", wijk=wijk)
            for i, (role, year, at_home) in enumerate(members):
                person = Person.objects.create(first_name="Test", last_name=f"Persoon{n}-{i}",
                                               date_of_birth=dt.date(year, 1 + (n + i) % 12, 1 + i))
                HouseholdMembership.objects.create(household=household, person=person, role=role,
                                                   living_at_home=at_home, valid_from=dt.date(2020, 1, 1))
            worker = teams[team]
            Case.objects.create(household=household, team=worker.team, regisseur=worker,
                                melding_date=dt.date(2022, 1, 1) + dt.timedelta(days=day),
                                melding_source=melding_source(), status=CaseStatus.REGISTERED)
        rows, _ = extract()
        if households == TWELVE_FAMILIES:
            assert len(rows) == 24  # everyone published, generalised
        if rows:
            size, combination = smallest_class(rows)
            assert size >= k, f"a combination of quasi-identifiers with {size} persons: {combination}"
            assert_no_exact_dates(rows)
