"""The progress engine per person: baseline and latest, mapping across versions, idempotency.

Hand-computed expectations.
"""
import datetime as dt

import pytest

from cases.models import MemberRole
from reporting import services
from reporting.models import CaseFact, DomainProgress, PersonProgress
from tests.reporting.factories import CODES_2013, adults, make_case, measure, scores, team_with_workers
from zrm.models import Domain

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)


def progress_rows():
    return sorted(PersonProgress.objects.values_list(
        "person_id", "case_id", "baseline_measurement_id", "latest_measurement_id", "has_followup",
        "crossed_versions", "domains_improved", "domains_equal", "domains_worse", "baseline_bucket", "latest_bucket"))


def domain_rows():
    return sorted(DomainProgress.objects.values_list("person_id", "case_id", "domain_id", "baseline_score",
                                                     "latest_score"))


def domain_scores(person):
    return {code: (base, last, None if base is None or last is None else last - base)
            for code, base, last in DomainProgress.objects.filter(person=person).values_list(
                "domain__code", "baseline_score", "latest_score")}


def test_baseline_is_the_first_and_latest_the_last_effective_measurement_of_the_person_in_the_case():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10))
    person = adults(case)[0]
    first = measure(case, person, dt.date(2025, 1, 20), scores(4, financien=2, huisvesting=3))
    measure(case, person, dt.date(2025, 7, 20), scores(4, financien=3, huisvesting=3), type="tussenmeting")
    last = measure(case, person, dt.date(2026, 1, 20), scores(4, financien=4, huisvesting=2, justitie=5),
                   type="tussenmeting")

    services.rebuild_all(on=ON)

    row = PersonProgress.objects.get(person=person, case=case)
    assert (row.baseline_measurement_id, row.latest_measurement_id) == (first.pk, last.pk)
    assert (row.baseline_date, row.latest_date, row.measurement_count) == (first.date, last.date, 3)
    assert row.has_followup and not row.crossed_versions
    # financien 2 -> 4 (+2), huisvesting 3 -> 2 (-1), justitie 4 -> 5 (+1), ten domains 4 -> 4.
    assert (row.domains_improved, row.domains_equal, row.domains_worse) == (2, 10, 1)
    assert domain_scores(person)["financien"] == (2, 4, 2)
    assert domain_scores(person)["huisvesting"] == (3, 2, -1)
    assert (row.baseline_problem_domains, row.latest_problem_domains) == (2, 1)
    assert (row.baseline_bucket, row.latest_bucket) == ("2-3", "1")
    assert row.age_group == "volwassenen" and row.team_id == case.team_id and row.regisseur_id == worker.pk


def test_a_corrected_measurement_no_longer_counts_its_correction_does():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10))
    person = adults(case)[0]
    wrong = measure(case, person, dt.date(2025, 1, 20), scores(4, financien=1))
    measure(case, person, dt.date(2025, 7, 20), scores(4, financien=4), type="tussenmeting")
    measure(case, person, dt.date(2025, 1, 20), scores(4, financien=2), supersedes=wrong, reason="tikfout")

    services.rebuild_all(on=ON)

    assert domain_scores(person)["financien"] == (2, 4, 2)


def test_a_single_measurement_gives_a_baseline_without_a_pair():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6))
    person = adults(case)[0]
    only = measure(case, person, dt.date(2025, 1, 20), scores(4, financien=2))

    services.rebuild_all(on=ON)

    row = PersonProgress.objects.get(person=person)
    assert row.baseline_measurement_id == row.latest_measurement_id == only.pk
    assert not row.has_followup
    assert (row.domains_improved, row.domains_equal, row.domains_worse) == (0, 0, 0)
    assert domain_scores(person)["financien"] == (2, None, None)


def test_a_2013_baseline_and_a_2017_latest_are_compared_on_2013_domains_taking_the_lower_of_a_pair():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10))
    person = adults(case)[0]
    measure(case, person, dt.date(2025, 1, 20),
            scores(3, codes=CODES_2013, dagbesteding=2, adl=4, verslaving=3), version="zrm-2013")
    # Dagbesteding -> Werk & opleiding 4 + Tijdsbesteding 3: read as 3; ADL -> 5 and 2: read as 2.
    measure(case, person, dt.date(2025, 7, 20),
            scores(3, werk_opleiding=4, tijdsbesteding=3, basale_adl=5, instrumentele_adl=2, middelengebruik=5),
            type="tussenmeting")

    services.rebuild_all(on=ON)

    row = PersonProgress.objects.get(person=person)
    assert row.crossed_versions
    assert row.basis_version.code == "zrm-2013"
    rows = domain_scores(person)
    assert set(rows) == set(CODES_2013)  # the 11 domains of ZRM 2013, no 2017 domain
    assert rows["dagbesteding"] == (2, 3, 1)
    assert rows["adl"] == (4, 2, -2)
    assert rows["verslaving"] == (3, 5, 2)
    assert rows["financien"] == (3, 3, 0)
    assert (row.domains_improved, row.domains_equal, row.domains_worse) == (2, 8, 1)


def test_child_module_domains_are_compared_when_both_measurements_have_them():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10),
                     members=[(MemberRole.PARENT, dt.date(1985, 1, 1)), (MemberRole.CHILD, dt.date(2016, 1, 1))])
    parent = adults(case)[0]
    measure(case, parent, dt.date(2025, 1, 20), scores(4, codes=CODES_2013, scholing=2), version="zrm-2013")
    measure(case, parent, dt.date(2025, 7, 20), scores(4, codes=CODES_2013, scholing=4), version="zrm-2013",
            type="tussenmeting")

    services.rebuild_all(on=ON)

    assert domain_scores(parent)["scholing"] == (2, 4, 2)
    assert DomainProgress.objects.filter(person=parent).count() == 15  # 11 + 4 child domains


def test_recomputing_twice_or_one_person_at_a_time_gives_the_same_rows():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10),
                     members=[(MemberRole.PARENT, dt.date(1985, 1, 1)), (MemberRole.PARTNER, dt.date(1986, 1, 1))])
    first, second = adults(case)
    measure(case, first, dt.date(2025, 1, 20), scores(3))
    measure(case, second, dt.date(2025, 1, 21), scores(2))
    latest = measure(case, first, dt.date(2025, 7, 20), scores(4), type="tussenmeting")

    services.rebuild_all(on=ON)
    expected = (progress_rows(), domain_rows(), list(CaseFact.objects.values().order_by("case_id")))
    services.rebuild_all(on=ON)
    assert (progress_rows(), domain_rows(), list(CaseFact.objects.values().order_by("case_id"))) == expected

    # Out of order: the later measurement's refresh first, then the earlier person's, twice.
    services.refresh_after_measurement(latest.pk, on=ON)
    services.refresh_case(case.pk, person_id=second.pk, whole_case=False, on=ON)
    services.refresh_after_measurement(latest.pk, on=ON)
    assert (progress_rows(), domain_rows(), list(CaseFact.objects.values().order_by("case_id"))) == expected


def test_case_household_category_is_the_heaviest_baseline_category_of_its_persons():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10),
                     members=[(MemberRole.PARENT, dt.date(1985, 1, 1)), (MemberRole.PARTNER, dt.date(1986, 1, 1))])
    first, second = adults(case)
    measure(case, first, dt.date(2025, 1, 20), scores(4, financien=3))  # enkelvoudig
    measure(case, second, dt.date(2025, 1, 21), scores(4, financien=2, justitie=3))  # meervoudig niet-zelfredzaam
    measure(case, second, dt.date(2025, 7, 21), scores(5), type="tussenmeting")  # latest does not matter

    services.rebuild_all(on=ON)

    assert CaseFact.objects.get(case=case).household_category == "meervoudig_niet_zelfredzaam"
    assert CaseFact.objects.get(case=case).nulmeting_date == dt.date(2025, 1, 20)


@pytest.mark.parametrize(("members", "expected"), [
    ([(MemberRole.PARENT, dt.date(1985, 1, 1)), (MemberRole.CHILD, dt.date(2015, 1, 1))], "gezin"),
    ([(MemberRole.OTHER, dt.date(1950, 1, 1))], "ouderen"),
    ([(MemberRole.PARTNER, dt.date(1950, 1, 1)), (MemberRole.PARTNER, dt.date(1960, 2, 1))], "ouderen"),
    ([(MemberRole.PARTNER, dt.date(1950, 1, 1)), (MemberRole.PARTNER, dt.date(1960, 2, 2))], "overig"),
    ([(MemberRole.OTHER, dt.date(1990, 1, 1))], "overig"),
    ([(MemberRole.PARENT, dt.date(1950, 1, 1)), (MemberRole.CHILD, dt.date(1990, 1, 1))], "overig"),
])
def test_household_type_matches_the_cases_rule_with_ages_on_the_melding_date(members, expected):
    # Melding 1 February 2025: someone born 1 February 1960 is 65 that day, born 2 February not yet.
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 2, 1), members=members)

    services.rebuild_all(on=ON)

    assert CaseFact.objects.get(case=case).household_type == expected


def test_age_groups_on_the_baseline_date():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6), contact=dt.date(2025, 1, 10),
                     members=[(MemberRole.PARENT, dt.date(1960, 1, 20)), (MemberRole.CHILD, dt.date(2007, 1, 21)),
                              (MemberRole.OTHER, dt.date(1990, 1, 1))])
    parent, child, other = adults(case)
    for person in (parent, child, other):
        measure(case, person, dt.date(2025, 1, 20), scores(4, codes=CODES_2013), version="zrm-2013")

    services.rebuild_all(on=ON)

    groups = dict(PersonProgress.objects.values_list("person_id", "age_group"))
    # 65 on the day itself; 18 only the day after.
    assert groups == {parent.pk: "ouderen", child.pk: "jeugd", other.pk: "volwassenen"}


def test_domains_of_the_basis_version_only():
    _, (worker,) = team_with_workers()
    case = make_case(worker, dt.date(2025, 1, 6))
    person = adults(case)[0]
    measure(case, person, dt.date(2025, 1, 20), scores(4))
    services.rebuild_all(on=ON)
    versions = set(Domain.objects.filter(pk__in=DomainProgress.objects.values("domain_id")).values_list(
        "version__code", flat=True))
    assert versions == {"zrm-2017"}
