"""derive() groups the domains per cluster in one pass; its results are those of the definition
(DOMAIN.md §2), checked against a plain, per-cluster transcription of it on many generated measurements."""
import random

from django.conf import settings

from zrm.derived import bucket_for, derive
from zrm.models import Cluster, HouseholdCategory


def by_definition(scored):
    """Per cluster, in report order: the scores given to its domains; a cluster with domains is reported."""
    norms = settings.WIJKREGIE
    problem_max, acute_max = norms["ZRM_PROBLEM_MAX_SCORE"], norms["ZRM_ACUTE_SCORE"]
    scores = [score for _, score in scored if score is not None]
    clusters = {}
    for cluster in Cluster.values:
        if not any(c == cluster for c, _ in scored):
            continue
        values = [score for c, score in scored if c == cluster and score is not None]
        clusters[cluster] = {
            "scored": len(values),
            "lowest": min(values) if values else None,
            "mean": round(sum(values) / len(values), 2) if values else None,
            "problem_domains": sum(1 for v in values if v <= problem_max),
        }
    if sum(1 for data in clusters.values() if data["problem_domains"]) <= 1:
        category = HouseholdCategory.SINGLE
    elif any(score <= norms["ZRM_NOT_SELF_RELIANT_MAX_SCORE"] for score in scores):
        category = HouseholdCategory.MULTIPLE_NOT_SELF_RELIANT
    else:
        category = HouseholdCategory.MULTIPLE_SELF_RELIANT
    problems = sum(1 for score in scores if score <= problem_max)
    return (problems, sum(1 for score in scores if score <= acute_max), bucket_for(problems), clusters,
            category.value)


def test_derive_matches_the_definition_on_generated_measurements():
    rng = random.Random(2019)
    # Clusters as stored (text), as enum members, and one no cluster knows: it counts nowhere.
    clusters = list(Cluster.values) + list(Cluster) + ["onbekend"]
    for _ in range(3000):
        scored = [(rng.choice(clusters), rng.choice([None, 1, 2, 3, 4, 5])) for _ in range(rng.randint(0, 17))]
        result = derive(scored)
        got = (result.problem_domain_count, result.acute_domain_count, result.bucket, result.cluster_scores,
               result.household_category)
        assert got == by_definition(scored), scored
        assert list(result.cluster_scores) == list(by_definition(scored)[3])  # report order, stored as JSON
        assert all(type(key) is str for key in result.cluster_scores)


def test_clusters_are_reported_in_cluster_order_whatever_the_order_of_the_domains():
    result = derive([("justitie", 4), ("opvoeding", None), ("financien", 2), (Cluster.JUSTITIE, 1)])
    assert list(result.cluster_scores) == ["financien", "opvoeding", "justitie"]
    assert result.cluster_scores["justitie"] == {"scored": 2, "lowest": 1, "mean": 2.5, "problem_domains": 1}
    assert result.cluster_scores["opvoeding"] == {"scored": 0, "lowest": None, "mean": None, "problem_domains": 0}
