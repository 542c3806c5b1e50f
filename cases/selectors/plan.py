"""Plans of a case (issue 4): versions with their details, low ZRM domains, network, family approach,
overdue plan work."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Prefetch, QuerySet, prefetch_related_objects
from django.shortcuts import get_object_or_404

from .. import extensions
from ..models import (
    Agreement,
    Case,
    FamilyApproach,
    Goal,
    LowDomainReason,
    NetworkMember,
    Person,
    Plan,
    PlanStatus,
    SafetyOverride,
)
from .access import active_break_glass, team_ids_of


def get_plan_for(user, pk: int, *, allow_break_glass: bool = False):
    """A plan of a case the user's team holds; 404 when it does not exist, 403 when it is another team's
    (unless, for read-only screens, the user has a valid break-the-glass access to the case)."""
    plan = get_object_or_404(Plan.objects.select_related("case__household", "case__team", "finalised_by"), pk=pk)
    if plan.case.team_id not in team_ids_of(user):
        access = active_break_glass(user, plan.case_id) if allow_break_glass else None
        if access is None:
            raise PermissionDenied
        plan.case.break_glass = access
    return plan


def _plan_detail_prefetches() -> list[Prefetch]:
    return [
        Prefetch("covered_persons", queryset=Person.objects.order_by("date_of_birth", "pk")),
        Prefetch("goals", queryset=Goal.objects.select_related("person", "domain__version").order_by(
            "person__date_of_birth", "person_id", "domain__order", "pk")),
        Prefetch("low_domain_reasons", queryset=LowDomainReason.objects.select_related(
            "person", "domain__version").order_by("person__date_of_birth", "person_id", "domain__order")),
        Prefetch("agreements", queryset=Agreement.objects.order_by("due_date", "pk")),
    ]


def with_plan_details(qs):
    """Plans with everything the plan screens and the API show, in a fixed number of queries."""
    return qs.select_related("finalised_by", "network_assessment").prefetch_related(*_plan_detail_prefetches())


def plans_of_case(case: Case) -> list:
    """Every plan version of the case, newest first. The current one (the newest not yet evaluated, as the
    casus page shows it) has its details (with_plan_details); earlier versions are only listed there, so
    their details are not read: five queries with a current plan, one without."""
    plans = list(Plan.objects.filter(case=case).select_related("finalised_by", "network_assessment")
                 .order_by("-version"))
    current = next((plan for plan in plans if plan.status != PlanStatus.EVALUATED), None)
    if current is not None:
        prefetch_related_objects([current], *_plan_detail_prefetches())
    return plans


def plan_with_details(pk: int):
    return with_plan_details(Plan.objects.filter(pk=pk)).get()


@dataclass
class LowDomain:
    """A domain scored at or below the problem threshold on a covered person's latest ZRM, and what the plan
    says about it: a goal, a coded reason why not, or nothing yet."""
    person: Person
    domain: object
    score: int
    measured_on: dt.date
    goals: list
    reason: object | None

    @property
    def is_open(self) -> bool:
        return not self.goals and self.reason is None


def plan_low_domains(plan, latest=None) -> list[LowDomain]:
    """Low-scoring domains of each covered person's latest vastgestelde (not corrected) ZRM in this case.

    Two queries (latest measurement per person, their low scores: extensions.measurements); one when `latest`
    is each person's latest measurement in the case as the casus page's ZRM panel read it
    (CasePagePanel.latest_measurements). The plan's goals and reasons must be prefetched (with_plan_details).
    """
    measurements = extensions.measurements.provider
    persons = {p.pk: p for p in plan.covered_persons.all()}
    if latest is None:
        latest = measurements.latest_effective(plan.case_id, list(persons))
    latest = {person_id: item for person_id, item in latest.items() if person_id in persons}
    if not latest:
        return []
    goals: dict[tuple[int, int], list] = {}
    for goal in plan.goals.all():
        goals.setdefault((goal.person_id, goal.domain_id), []).append(goal)
    reasons = {(r.person_id, r.domain_id): r for r in plan.low_domain_reasons.all()}
    person_of = {item.measurement_id: person_id for person_id, item in latest.items()}
    scores = sorted(
        measurements.low_scores(list(person_of), settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"]),
        key=lambda s: (persons[person_of[s.measurement_id]].date_of_birth, person_of[s.measurement_id]),
    )  # by person (date of birth), then domain order, as the plan screens list them
    return [
        LowDomain(person=persons[person_of[s.measurement_id]], domain=s.domain, score=s.score,
                  measured_on=latest[person_of[s.measurement_id]].date,
                  goals=goals.get((person_of[s.measurement_id], s.domain.pk), []),
                  reason=reasons.get((person_of[s.measurement_id], s.domain.pk)))
        for s in scores
    ]


def goal_domain_choices(plan):
    """The ZRM domains a goal can be on: the active version's, plus the versions of the covered persons' ZRMs
    (extensions.domains)."""
    return extensions.domains.provider.for_goals(plan.case_id, plan.covered_persons.all())


def family_approach_rows(case: Case, members) -> list[tuple]:
    """(membership, FamilyApproach or None) for each current member, in one query."""
    rows = {row.person_id: row for row in FamilyApproach.objects.filter(case=case)}
    return [(m, rows.get(m.person_id)) for m in members]


def network_of(case: Case):
    return NetworkMember.objects.filter(household_id=case.household_id).order_by("name", "pk")


def safety_override_of(case: Case):
    return SafetyOverride.objects.filter(case=case).select_related("team_leader__user").first()


def plan_due_items(case_ids, today: dt.date) -> dict[int, list[dict]]:
    """Overdue plan work per case, in two queries whatever the number of cases.

    Per case id a list of {"label", "due"} items, oldest first: the review (evaluatie) of the active
    plan when its review date has passed, and the active plan's goals past their target date that are
    not achieved (one item with the count and the earliest date).
    """
    if not isinstance(case_ids, QuerySet):  # a queryset of ids is used as a subquery (long lists)
        case_ids = list(case_ids)
        if not case_ids:
            return {}
    items: dict[int, list[dict]] = {}
    for case_id, version, review in (
        Plan.objects.filter(case_id__in=case_ids, review_date__lt=today).exclude(status=PlanStatus.EVALUATED)
        .values_list("case_id", "version", "review_date")
    ):
        items.setdefault(case_id, []).append(
            {"label": f"Evaluatie plan van aanpak (versie {version})", "due": review, "kind": "review"})
    goals = (
        Goal.objects.filter(plan__case_id__in=case_ids, target_date__lt=today)
        .exclude(plan__status=PlanStatus.EVALUATED).exclude(achieved=True)
        .values("plan__case_id").annotate(n=Count("pk"), earliest=Min("target_date")).order_by()
    )
    for row in goals:
        n = row["n"]
        label = f"{n} doel{'en' if n != 1 else ''} over de streefdatum"
        items.setdefault(row["plan__case_id"], []).append({"label": label, "due": row["earliest"], "kind": "goals"})
    for case_items in items.values():
        case_items.sort(key=lambda item: item["due"])
    return items
