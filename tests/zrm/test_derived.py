"""Derived values of hand-computed measurements: problem and acute domains, bucket, clusters, category."""
import pytest
from django.conf import settings
from django.test import override_settings

from tests.zrm.factories import CODES_2013, CODES_2017, case_with_adult, record
from zrm.derived import bucket_for, derive

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("count,bucket", [
    (0, "0"), (1, "1"), (2, "2-3"), (3, "2-3"), (4, "4-5"), (5, "4-5"), (6, "6-7"), (7, "6-7"), (8, ">7"), (13, ">7"),
])
def test_bucket_boundaries(count, bucket):
    assert bucket_for(count) == bucket


def test_a_fully_self_reliant_person_has_no_problem_domains_and_is_enkelvoudig():
    case, person = case_with_adult()
    m = record(case, person, scores={code: 5 for code in CODES_2017})
    assert (m.problem_domain_count, m.acute_domain_count, m.bucket, m.household_category) == (0, 0, "0", "enkelvoudig")


def test_problems_in_one_cluster_only_is_enkelvoudig_even_when_acute():
    # Financiën 1 and Huisvesting 2 are both in cluster Financiën; the rest is 4 or 5.
    case, person = case_with_adult()
    scores = {code: 4 for code in CODES_2017} | {"financien": 1, "huisvesting": 2, "justitie": 5}
    m = record(case, person, scores=scores)
    assert m.problem_domain_count == 2
    assert m.acute_domain_count == 1
    assert m.bucket == "2-3"
    assert m.household_category == "enkelvoudig"
    assert m.cluster_scores["financien"] == {"scored": 2, "lowest": 1, "mean": 1.5, "problem_domains": 2}
    assert m.cluster_scores["justitie"] == {"scored": 1, "lowest": 5, "mean": 5.0, "problem_domains": 0}


def test_problems_in_two_clusters_all_scored_three_is_meervoudig_zelfredzaam():
    # Financiën 3 (cluster financien), Geestelijke gezondheid 3 and Middelengebruik 3 (geestelijk),
    # Werk & opleiding 3 (participatie): 4 problem domains in 3 clusters, none <= 2.
    case, person = case_with_adult()
    scores = {code: 4 for code in CODES_2017} | {
        "financien": 3, "geestelijke_gezondheid": 3, "middelengebruik": 3, "werk_opleiding": 3}
    m = record(case, person, scores=scores)
    assert (m.problem_domain_count, m.acute_domain_count, m.bucket) == (4, 0, "4-5")
    assert m.household_category == "meervoudig_zelfredzaam"
    assert m.cluster_scores["geestelijk"]["problem_domains"] == 2
    assert m.cluster_scores["participatie"] == {"scored": 4, "lowest": 3, "mean": 3.75, "problem_domains": 1}


def test_problems_in_two_clusters_with_a_two_is_meervoudig_niet_zelfredzaam():
    case, person = case_with_adult()
    scores = {code: 5 for code in CODES_2017} | {"huisvesting": 2, "justitie": 3}
    m = record(case, person, scores=scores)
    assert (m.problem_domain_count, m.acute_domain_count, m.bucket) == (2, 0, "2-3")
    assert m.household_category == "meervoudig_niet_zelfredzaam"


def test_niet_gescoord_domains_count_as_neither_problem_nor_scored():
    case, person = case_with_adult()
    scores = {"financien": 2, "huisvesting": "niet_relevant", "justitie": "onbekend", "sociaal_netwerk": 1}
    m = record(case, person, scores=scores)
    assert m.problem_domain_count == 2 and m.acute_domain_count == 1
    assert m.cluster_scores["justitie"] == {"scored": 0, "lowest": None, "mean": None, "problem_domains": 0}
    assert m.household_category == "meervoudig_niet_zelfredzaam"
    # the 11 domains left open were stored as niet gescoord (onbekend)
    assert m.scores.filter(score__isnull=True).count() == 11


def test_a_2013_measurement_with_child_module_uses_the_groningen_clusters():
    # Gezinsrelaties 3 and Opvang 2 (both Opvoeding), Inkomen 3 (Financiën), Dagbesteding 1 (Participatie),
    # ADL 3 (Fysiek), Verslaving 5 (Geestelijk); the rest 4: 4 problem domains in 4 clusters.
    case, person = case_with_adult(child=True)
    scores = {code: 4 for code in CODES_2013} | {
        "huiselijke_relaties": 3, "financien": 3, "dagbesteding": 1, "adl": 3, "verslaving": 5,
        "opvang": 2, "scholing": 4, "lichamelijke_verzorging": 5, "sociaal_emotionele_ondersteuning": "niet_relevant"}
    m = record(case, person, scores=scores, version_code="zrm-2013")
    assert m.problem_domain_count == 5
    assert m.acute_domain_count == 1
    assert m.bucket == "4-5"
    assert m.household_category == "meervoudig_niet_zelfredzaam"
    assert m.cluster_scores["opvoeding"] == {"scored": 4, "lowest": 2, "mean": 3.5, "problem_domains": 2}
    assert m.cluster_scores["geestelijk"]["problem_domains"] == 0
    assert sorted(c for c, v in m.cluster_scores.items() if v["problem_domains"]) == [
        "financien", "fysiek", "opvoeding", "participatie"]


def test_thresholds_are_settings():
    scored = [("financien", 4), ("participatie", 4), ("fysiek", 3)]
    assert derive(scored).problem_domain_count == 1
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_PROBLEM_MAX_SCORE": 4, "ZRM_ACUTE_SCORE": 3}):
        result = derive(scored)
    assert result.problem_domain_count == 3 and result.acute_domain_count == 1
    assert result.household_category == "meervoudig_zelfredzaam"
