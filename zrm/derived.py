"""Derived measures of one measurement (DOMAIN.md §2), pure functions with thresholds from settings.

- problem domain: score <= ZRM_PROBLEM_MAX_SCORE (3); acute domain: score <= ZRM_ACUTE_SCORE (1);
- bucket of the number of problem domains: 0, 1, 2-3, 4-5, 6-7, >7;
- cluster scores: per Groningen cluster the lowest and mean score, the number scored and the
  number of problem domains (ZRM 2017 domains carry the cluster of their 2013 parent, so both
  versions report on the same six clusters);
- household category (LPBL): enkelvoudig = problems in at most one cluster; meervoudig
  zelfredzaam = problems in two or more clusters and no domain <= ZRM_NOT_SELF_RELIANT_MAX_SCORE
  (2); meervoudig niet-zelfredzaam = problems in two or more clusters and a domain <= 2.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .models import Cluster, HouseholdCategory

# (lowest count, highest count or None, label)
BUCKETS = [(0, 0, "0"), (1, 1, "1"), (2, 3, "2-3"), (4, 5, "4-5"), (6, 7, "6-7"), (8, None, ">7")]
BUCKET_LABELS = [label for _, _, label in BUCKETS]
CLUSTERS = tuple(Cluster.values)  # in report order; `Cluster.values` builds a new list on every use


@dataclass(frozen=True)
class Derived:
    problem_domain_count: int
    acute_domain_count: int
    bucket: str
    cluster_scores: dict
    household_category: str


def bucket_for(problem_domains: int) -> str:
    for low, high, label in BUCKETS:
        if problem_domains >= low and (high is None or problem_domains <= high):
            return label
    raise ValueError(problem_domains)


def derive(scored: list[tuple[str, int | None]]) -> Derived:
    """`scored`: (cluster, score or None for niet gescoord) for each domain of the measurement."""
    norms = settings.WIJKREGIE
    problem_max = norms["ZRM_PROBLEM_MAX_SCORE"]
    acute_max = norms["ZRM_ACUTE_SCORE"]
    not_self_reliant_max = norms["ZRM_NOT_SELF_RELIANT_MAX_SCORE"]

    # One pass over the domains: the scores in order, and per cluster the scores given (a cluster that
    # only has unscored domains is still reported, with scored 0).
    scores: list[int] = []
    by_cluster: dict[str, list[int]] = {}
    for cluster, score in scored:
        values = by_cluster.setdefault(cluster, [])
        if score is not None:
            values.append(score)
            scores.append(score)
    problems = [score for score in scores if score <= problem_max]
    clusters: dict[str, dict] = {}
    for cluster in CLUSTERS:
        values = by_cluster.get(cluster)
        if values is None:
            continue
        clusters[cluster] = {
            "scored": len(values),
            "lowest": min(values) if values else None,
            "mean": round(sum(values) / len(values), 2) if values else None,
            "problem_domains": sum(1 for v in values if v <= problem_max),
        }
    problem_clusters = sum(1 for data in clusters.values() if data["problem_domains"])
    if problem_clusters <= 1:
        category = HouseholdCategory.SINGLE
    elif any(score <= not_self_reliant_max for score in scores):
        category = HouseholdCategory.MULTIPLE_NOT_SELF_RELIANT
    else:
        category = HouseholdCategory.MULTIPLE_SELF_RELIANT
    return Derived(
        problem_domain_count=len(problems),
        acute_domain_count=sum(1 for score in scores if score <= acute_max),
        bucket=bucket_for(len(problems)),
        cluster_scores=clusters,
        household_category=category.value,
    )
