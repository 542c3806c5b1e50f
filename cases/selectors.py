"""Reads: who may see what, and the lists the screens show. Every query here is set-based."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from common.models import Scope
from common.validators import normalise_postcode

from .models import (
    TEAM_ROLES,
    Case,
    CaseStatus,
    Household,
    HouseholdMembership,
    MemberRole,
    Person,
    Role,
    StaffMembership,
    Team,
)
from .crypto import bsn_lookup_hash


# --- Access -------------------------------------------------------------------------------

def active_memberships(user) -> QuerySet[StaffMembership]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return StaffMembership.objects.none()  # anonymous, or a machine client (no staff memberships)
    return StaffMembership.objects.filter(user=user, active=True).select_related("team")


def roles_of(user) -> set[str]:
    return set(active_memberships(user).values_list("role", flat=True))


def team_ids_of(user) -> set[int]:
    """Teams whose personal data this user may see (need-to-know: own team only).

    A machine client with a registration scope sees exactly the teams it was given.
    """
    client = getattr(user, "client", None)
    if client is not None:
        if {Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE} & set(client.scopes or []):
            return set(client.teams.values_list("pk", flat=True))
        return set()
    return set(
        active_memberships(user).filter(role__in=[r.value for r in TEAM_ROLES]).values_list("team_id", flat=True)
    )


def is_team_leader(user, team_id: int) -> bool:
    return active_memberships(user).filter(role=Role.TEAM_LEADER, team_id=team_id).exists()


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(team_id__in=team_ids_of(user))


class NeedToKnow(PermissionDenied):
    """403: the case belongs to another team. Carries the case so the casus page can offer break-the-glass."""

    def __init__(self, case: Case):
        super().__init__("Deze casus hoort bij een ander team.")
        self.case = case


def get_case_for(user, pk: int, *, allow_break_glass: bool = False) -> Case:
    """The case, if the user's team holds it; 404 when it does not exist, 403 when it is another team's.

    With `allow_break_glass` (read-only screens only), a user with a valid break-the-glass access to the
    case gets it too, with that access as `case.break_glass`; every other caller (all writes) keeps the
    own-team rule.
    """
    from django.shortcuts import get_object_or_404

    # closure_reason and reopened_from (mostly empty) load on first use: two more joins cost PostgreSQL
    # more planning time than the lookup they save on a closed or reopened case.
    case = get_object_or_404(
        Case.objects.select_related("household", "team", "melding_source", "regisseur__user"), pk=pk,
    )
    if case.team_id not in team_ids_of(user):
        access = active_break_glass(user, case.pk) if allow_break_glass else None
        if access is None:
            raise NeedToKnow(case)
        case.break_glass = access
    return case


def membership_for_team(user, team_id: int) -> StaffMembership | None:
    return active_memberships(user).filter(team_id=team_id, role__in=[r.value for r in TEAM_ROLES]).first()


def directors_for_team(team_id: int) -> QuerySet[StaffMembership]:
    """Staff who may direct a case of this team."""
    return (
        StaffMembership.objects.filter(team_id=team_id, active=True, role__in=[r.value for r in TEAM_ROLES])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


# --- Households -----------------------------------------------------------------------------

def current_members(household: Household) -> QuerySet[HouseholdMembership]:
    return (
        HouseholdMembership.objects.filter(household=household, valid_to__isnull=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    )


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def household_type(memberships, on: dt.date | None = None) -> str:
    """LPBL household type from the current members living at home: gezin, ouderen or overig.

    gezin: children living at home and a parent/partner under the senior age;
    ouderen: one or two adults, all at or above the senior age, no children at home;
    overig: everyone else.
    """
    on = on or dt.date.today()
    senior_age = settings.WIJKREGIE["SENIOR_AGE"]
    at_home = [m for m in memberships if m.living_at_home and m.valid_to is None]
    children = [m for m in at_home if m.role == MemberRole.CHILD]
    adults = [m for m in at_home if m.role != MemberRole.CHILD]
    parents = [m for m in adults if m.role in (MemberRole.PARENT, MemberRole.PARTNER)]
    if children and any(age_on(m.person.date_of_birth, on) < senior_age for m in parents):
        return "gezin"
    if not children and 1 <= len(adults) <= 2 and all(age_on(m.person.date_of_birth, on) >= senior_age for m in adults):
        return "ouderen"
    return "overig"


HOUSEHOLD_TYPE_LABELS = {"gezin": "Gezin", "ouderen": "Ouderen", "overig": "Overig"}


def find_households_by_bsn(bsn: str) -> QuerySet[Household]:
    return Household.objects.filter(
        memberships__person__bsn_hash=bsn_lookup_hash(bsn), memberships__valid_to__isnull=True
    ).distinct()


def find_households_by_address(postcode: str, house_number: int, addition: str = "") -> QuerySet[Household]:
    qs = Household.objects.filter(postcode=normalise_postcode(postcode), house_number=house_number)
    if addition:
        qs = qs.filter(house_number_addition__iexact=addition.strip())
    return qs


def open_case_of(household: Household) -> Case | None:
    return household.cases.exclude(status=CaseStatus.CLOSED).first()


def person_by_bsn(bsn: str) -> Person | None:
    return Person.objects.filter(bsn_hash=bsn_lookup_hash(bsn)).first()


# --- Lists ----------------------------------------------------------------------------------

def _with_list_relations(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("household", "team", "regisseur__user", "melding_source").prefetch_related(
        Prefetch(
            "household__memberships",
            queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person"),
            to_attr="current_memberships",
        )
    )


def next_due_action(case: Case, today: dt.date) -> tuple[str, dt.date | None]:
    """The next thing the director owes this case, with its due date (DOMAIN.md §1 norms): the
    earliest of the first contact (while not registered) and the next ZRM measurement of the
    case's schedule (`next_measurement_due`, attached by decorate_for_list); else the plan."""
    norms = settings.WIJKREGIE
    candidates = []
    if case.status == CaseStatus.REGISTERED and case.first_contact_date is None:
        candidates.append(("Eerste contact", case.melding_date + dt.timedelta(days=norms["FIRST_CONTACT_DAYS"])))
    due = getattr(case, "next_measurement_due", None)
    if due is not None:
        candidates.append(due)
    if candidates:
        return min(candidates, key=lambda candidate: candidate[1])
    return "Plan van aanpak", case.melding_date + dt.timedelta(days=norms["PLAN_DAYS"])


def decorate_for_list(cases, today: dt.date):
    """Attach days since melding, household type, next due action and overdue plan work to each case.

    Three queries in all, whatever the number of cases: the ZRM schedule and the plan items of every listed case.
    """
    from zrm.selectors import next_due_by_case  # zrm depends on cases, not the other way round

    rows = list(cases)
    zrm_due = next_due_by_case(rows, today) if rows else {}
    plan_due = plan_due_items([case.pk for case in rows], today)
    for case in rows:
        case.plan_due = plan_due.get(case.pk, [])  # overdue plan reviews and goals (two queries in all)
        item = zrm_due.get(case.pk)
        case.next_measurement_due = (f"ZRM: {item.label.lower()}", item.due) if item else None
        case.measurement_overdue = bool(item and item.is_overdue)
        case.days_since_melding = (today - case.melding_date).days
        members = getattr(case.household, "current_memberships", [])
        case.household_type = household_type(members, today)
        case.household_label = _household_label(members)
        action, due = next_due_action(case, today)
        case.next_action = action
        case.next_action_due = due
        case.next_action_overdue = due is not None and due < today
    return rows


def _household_label(memberships) -> str:
    """Short name for lists: the surname of the first adult member."""
    adults = [m for m in memberships if m.role != MemberRole.CHILD] or list(memberships)
    if not adults:
        return "Huishouden zonder leden"
    person = adults[0].person
    surname = " ".join(p for p in (person.name_prefix, person.last_name) if p)
    return f"Huishouden {surname}"


# What Mijn caseload reads: the columns decorate_for_list and the list use, the current members for the
# household's name and type, and no BSN (decrypting one per member was a large share of the page).
CASELOAD_CASE_FIELDS = ("pk", "household_id", "melding_date", "status", "first_contact_date", "closed_on",
                        "safety_flag", "household__id")
CASELOAD_MEMBER_FIELDS = ("pk", "household_id", "person_id", "role", "living_at_home", "valid_to", "person__id",
                          "person__name_prefix", "person__last_name", "person__date_of_birth")


def my_caseload(user) -> QuerySet[Case]:
    """The open cases this user directs, loaded for the list (decorate_for_list): a case's other fields
    are deferred."""
    return (
        Case.objects.filter(regisseur__user=user, regisseur__active=True).exclude(status=CaseStatus.CLOSED)
        .select_related("household").only(*CASELOAD_CASE_FIELDS)
        .prefetch_related(Prefetch(
            "household__memberships",
            queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person")
            .only(*CASELOAD_MEMBER_FIELDS),
            to_attr="current_memberships",
        ))
        .order_by("melding_date", "pk")
    )


def my_caseload_rows(user, today: dt.date) -> list[Case]:
    """Mijn caseload: my open cases decorated for the list, with the texts the page shows ready made
    (link, status label, dates), so the template does not call the URL, translation and date machinery
    per row."""
    from django.urls import reverse

    rows = decorate_for_list(my_caseload(user), today)
    status_labels = {value: str(label) for value, label in CaseStatus.choices}
    for case in rows:
        case.detail_url = reverse("cases:case_detail", args=[case.pk])
        case.status_label = status_labels.get(case.status, case.status)
        case.next_action_due_text = f"{case.next_action_due:%d-%m-%Y}" if case.next_action_due else ""
        for item in case.plan_due:
            item["due_text"] = f"{item['due']:%d-%m-%Y}"
    return rows


def team_cases(user, *, team_id: int | None = None, status: str | None = None, regisseur_id: int | None = None):
    """Open cases of the user's team(s), optionally filtered."""
    qs = cases_visible_to(user).exclude(status=CaseStatus.CLOSED)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if status:
        qs = qs.filter(status=status)
    if regisseur_id:
        qs = qs.filter(regisseur_id=regisseur_id)
    return _with_list_relations(qs).order_by("melding_date", "pk")


def case_has_other_open(household_id: int, exclude_pk: int | None = None) -> bool:
    qs = Case.objects.filter(household_id=household_id).exclude(status=CaseStatus.CLOSED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def recently_closed_case(household: Household, on: dt.date) -> Case | None:
    """The latest case of this household closed within the reopening window and not yet reopened."""
    window = settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
    reopened = Case.objects.filter(reopened_from=OuterRef("pk"))
    return (
        household.cases.filter(status=CaseStatus.CLOSED, closed_on__gte=on - dt.timedelta(days=window))
        .annotate(already_reopened=Exists(reopened))
        .filter(already_reopened=False)
        .order_by("-closed_on", "-pk")
        .first()
    )


# --- Screens of the browser UI (cases/views.py) -------------------------------------------------

def led_teams(user):
    """Teams this user leads (the team page is theirs)."""
    return Team.objects.filter(
        memberships__user=user, memberships__active=True, memberships__role=Role.TEAM_LEADER
    ).distinct().order_by("name")


def search_households(*, bsn: str = "", postcode: str = "", house_number: int | None = None, addition: str = ""):
    """Households matching a BSN (current member) or an address, each with `open_cases` and `member_count`."""
    if bsn:
        matches = find_households_by_bsn(bsn)
    else:
        matches = find_households_by_address(postcode, house_number, addition)
    return list(
        Household.objects.filter(pk__in=matches.values("pk"))
        .annotate(member_count=Count("memberships", filter=Q(memberships__valid_to__isnull=True)))
        .prefetch_related(
            Prefetch("cases", queryset=Case.objects.exclude(status=CaseStatus.CLOSED).select_related("team"),
                     to_attr="open_cases")
        )
        .order_by("postcode", "house_number", "house_number_addition", "pk")
    )


def case_events(case: Case):
    """The case timeline, oldest first."""
    return case.events.select_related("actor").order_by("occurred_on", "created_at", "pk")


def director_history(case: Case):
    """Who directed the case, from when to when, and why."""
    return case.director_assignments.select_related("regisseur__user", "assigned_by").order_by(
        "started_on", "created_at", "pk"
    )


def reopened_as(case: Case) -> Case | None:
    """The case that reopened this one, if any."""
    return Case.objects.filter(reopened_from=case).only("pk", "melding_date", "status").first()


# --- Interventions ------------------------------------------------------------------------------

def intervention_counts_by_type(cases: QuerySet[Case]) -> dict[str, dict[str, int]]:
    """Per intervention type code: how many were already running, started and stopped by the team (one query)."""
    from django.db.models import Count

    from .models import Intervention

    counts: dict[str, dict[str, int]] = {}
    rows = (
        Intervention.objects.filter(case__in=cases)
        .values("type__code", "team_action")
        .annotate(n=Count("pk"))
        .order_by("type__code", "team_action")
    )
    for row in rows:
        counts.setdefault(row["type__code"], {"lopend": 0, "gestart": 0, "gestopt": 0})[row["team_action"]] = row["n"]
    return counts


# --- Plans (issue 4) ------------------------------------------------------------------------------

def get_plan_for(user, pk: int, *, allow_break_glass: bool = False):
    """A plan of a case the user's team holds; 404 when it does not exist, 403 when it is another team's
    (unless, for read-only screens, the user has a valid break-the-glass access to the case)."""
    from django.shortcuts import get_object_or_404

    from .models import Plan

    plan = get_object_or_404(Plan.objects.select_related("case__household", "case__team", "finalised_by"), pk=pk)
    if plan.case.team_id not in team_ids_of(user):
        access = active_break_glass(user, plan.case_id) if allow_break_glass else None
        if access is None:
            raise PermissionDenied
        plan.case.break_glass = access
    return plan


def _plan_detail_prefetches() -> list[Prefetch]:
    from .models import Agreement, Goal, LowDomainReason

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
    from django.db.models import prefetch_related_objects

    from .models import Plan, PlanStatus

    plans = list(Plan.objects.filter(case=case).select_related("finalised_by", "network_assessment")
                 .order_by("-version"))
    current = next((plan for plan in plans if plan.status != PlanStatus.EVALUATED), None)
    if current is not None:
        prefetch_related_objects([current], *_plan_detail_prefetches())
    return plans


def plan_with_details(pk: int):
    from .models import Plan

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


def plan_low_domains(plan, measurements=None) -> list[LowDomain]:
    """Low-scoring domains of each covered person's latest vastgestelde (not corrected) ZRM in this case.

    Two queries (latest measurement per person, their low scores); one when `measurements` are the case's
    measurements already read with `is_superseded` (zrm.selectors.case_panel). The plan's goals and reasons
    must be prefetched (with_plan_details).
    """
    from zrm.models import Measurement, MeasurementStatus, Score
    from zrm.selectors import effective

    persons = {p.pk: p for p in plan.covered_persons.all()}
    if measurements is None:
        rows = effective(Measurement.objects.filter(case_id=plan.case_id, person_id__in=list(persons))).order_by(
            "person_id", "-date", "-pk").values_list("person_id", "pk", "date")
    else:
        rows = sorted(((m.person_id, m.pk, m.date) for m in measurements
                       if m.case_id == plan.case_id and m.person_id in persons
                       and m.status == MeasurementStatus.FINAL and not m.is_superseded),
                      key=lambda row: (row[0], row[2], row[1]), reverse=True)
    latest: dict[int, tuple[int, dt.date]] = {}  # person id -> (measurement id, date)
    for person_id, measurement_id, day in rows:
        latest.setdefault(person_id, (measurement_id, day))
    if not latest:
        return []
    goals: dict[tuple[int, int], list] = {}
    for goal in plan.goals.all():
        goals.setdefault((goal.person_id, goal.domain_id), []).append(goal)
    reasons = {(r.person_id, r.domain_id): r for r in plan.low_domain_reasons.all()}
    person_of = {measurement_id: person_id for person_id, (measurement_id, _) in latest.items()}
    scores = sorted(
        Score.objects.filter(measurement_id__in=list(person_of), score__lte=settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
        .select_related("domain__version").order_by("domain__order", "pk"),
        key=lambda s: (persons[person_of[s.measurement_id]].date_of_birth, person_of[s.measurement_id]),
    )  # by person (date of birth), then domain order, as the plan screens list them
    return [
        LowDomain(person=persons[person_of[s.measurement_id]], domain=s.domain, score=s.score,
                  measured_on=latest[person_of[s.measurement_id]][1],
                  goals=goals.get((person_of[s.measurement_id], s.domain_id), []),
                  reason=reasons.get((person_of[s.measurement_id], s.domain_id)))
        for s in scores
    ]


def goal_domain_choices(plan):
    """The ZRM domains a goal can be on: the active version's, plus the versions of the covered persons' ZRMs."""
    from zrm.models import Domain, Measurement
    from zrm.selectors import active_version

    version_ids = set(Measurement.objects.filter(case_id=plan.case_id, person__in=plan.covered_persons.all())
                      .values_list("version_id", flat=True).distinct())
    active = active_version()
    if active is not None:
        version_ids.add(active.pk)
    return Domain.objects.filter(version_id__in=version_ids).select_related("version").order_by(
        "version__year", "order")


def family_approach_rows(case: Case, members) -> list[tuple]:
    """(membership, FamilyApproach or None) for each current member, in one query."""
    from .models import FamilyApproach

    rows = {row.person_id: row for row in FamilyApproach.objects.filter(case=case)}
    return [(m, rows.get(m.person_id)) for m in members]


def network_of(case: Case):
    from .models import NetworkMember

    return NetworkMember.objects.filter(household_id=case.household_id).order_by("name", "pk")


def safety_override_of(case: Case):
    from .models import SafetyOverride

    return SafetyOverride.objects.filter(case=case).select_related("team_leader__user").first()


def plan_due_items(case_ids, today: dt.date) -> dict[int, list[dict]]:
    """Overdue plan work per case, in two queries whatever the number of cases.

    Per case id a list of {"label", "due"} items, oldest first: the review (evaluatie) of the active
    plan when its review date has passed, and the active plan's goals past their target date that are
    not achieved (one item with the count and the earliest date).
    """
    from django.db.models import Min

    from .models import Goal, Plan, PlanStatus

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


def get_intervention_for(user, pk: int):
    """An intervention of a case the user's team holds (403 for another team's)."""
    from django.shortcuts import get_object_or_404

    from .models import Intervention

    intervention = get_object_or_404(
        Intervention.objects.select_related("case__household", "case__team", "type", "person"), pk=pk)
    if intervention.case.team_id not in team_ids_of(user):
        raise PermissionDenied
    return intervention


def interventions_of(case: Case) -> list:
    """The case's interventions, oldest start first, with person, types and the intervention each bridges.

    Two queries whatever the rows: the small code list of types is read whole instead of joined three
    times (a seven-table join costs PostgreSQL more planning time than the two queries together take).
    """
    from .models import Intervention, InterventionType

    items = list(Intervention.objects.filter(case=case).select_related("person").order_by("start_date", "pk"))
    loaded = {item.pk: item for item in items}
    elsewhere = {item.bridging_for_id for item in items if item.bridging_for_id} - loaded.keys()
    if elsewhere:  # validated to be in the same case; read anyway if one is not
        loaded.update(Intervention.objects.in_bulk(elsewhere))
    types = InterventionType.objects.in_bulk()
    for item in loaded.values():
        item.type = types[item.type_id]
        for name in ("most_appropriate_type", "replaces_type"):
            if getattr(item, f"{name}_id"):
                setattr(item, name, types[getattr(item, f"{name}_id")])
    for item in items:
        if item.bridging_for_id:
            item.bridging_for = loaded[item.bridging_for_id]
    return items


def escalations_of(case: Case, interventions=None) -> list:
    """The case's escalations by date, with the intervention that prevented each (and its type).

    `interventions`: the case's interventions as interventions_of reads them; then one query.
    """
    from .models import Escalation, Intervention

    if interventions is None:
        return list(Escalation.objects.filter(case=case).select_related("prevented_by__type").order_by("date", "pk"))
    escalations = list(Escalation.objects.filter(case=case).order_by("date", "pk"))
    by_pk = {item.pk: item for item in interventions}
    elsewhere = {e.prevented_by_id for e in escalations if e.prevented_by_id} - by_pk.keys()
    if elsewhere:
        by_pk.update(Intervention.objects.select_related("type").in_bulk(elsewhere))
    for escalation in escalations:
        if escalation.prevented_by_id:
            escalation.prevented_by = by_pk[escalation.prevented_by_id]
    return escalations


# --- Privacy (issue 8): break-the-glass, regiecheck, consent -------------------------------------------

def may_break_glass(user) -> bool:
    """Only sociaal werkers and teamleiders may break the glass; gemeente, beheerder, privacy officer and
    machine clients never."""
    return active_memberships(user).filter(role__in=[r.value for r in TEAM_ROLES]).exists()


def active_break_glass(user, case_id: int, now=None):
    """The user's break-the-glass access to this case that is valid now, or None."""
    from django.utils import timezone

    from .models import BreakGlassAccess

    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return None
    now = now or timezone.now()
    return (BreakGlassAccess.objects.filter(user=user, case_id=case_id, at__lte=now, valid_until__gt=now)
            .order_by("-valid_until").first())


def break_glass_events_for_leader(user, *, team_id: int | None = None) -> QuerySet:
    """Break-the-glass accesses a team leader oversees: on their team's cases, and by their team's workers.

    With `team_id` (one of the led teams), only those that concern that team.
    """
    from .models import BreakGlassAccess

    led = list(led_teams(user).values_list("pk", flat=True))
    if team_id is not None:
        led = [pk for pk in led if pk == team_id]
    return (
        BreakGlassAccess.objects.filter(Q(case__team_id__in=led) | Q(requester_team_id__in=led))
        .select_related("user", "case__team", "requester_team")
        .order_by("-at", "-pk")
    )


def organisations_of(user) -> set[int]:
    """The home organisations of the user's active team memberships (the asking party of a regiecheck).
    Machine clients have none."""
    return set(
        active_memberships(user).filter(role__in=[r.value for r in TEAM_ROLES], home_organisation__isnull=False)
        .values_list("home_organisation_id", flat=True)
    )


def consents_of(household_id: int) -> list:
    """Every consent of the household, active ones first, newest first (one query)."""
    from .models import Consent

    return sorted(
        Consent.objects.filter(household_id=household_id).select_related(
            "partner_organisation", "recorded_by", "withdrawn_by"),
        key=lambda c: (c.withdrawn_on is not None, -c.given_on.toordinal(), -c.pk),
    )


def sharing_consent(household_id: int, organisation_ids, on: dt.date):
    """The household's active 'informatiedeling' consent naming one of these partner organisations, or None.

    A consent without a named partner organisation does not cover sharing case content with an asking party.
    """
    from .models import Consent, ConsentPurpose

    if not organisation_ids:
        return None
    return (Consent.objects.filter(household_id=household_id, purpose=ConsentPurpose.INFORMATION_SHARING,
                                   partner_organisation_id__in=list(organisation_ids), given_on__lte=on)
            .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
            .select_related("partner_organisation").order_by("-given_on", "-pk").first())


def regiecheck_households(bsn: str, date_of_birth: dt.date, postcode: str, house_number: int,
                          addition: str = "") -> tuple[Person | None, list[Household]]:
    """The person with this BSN and the households at this address they are a current member of.

    All three must agree (BSN, date of birth, address); any mismatch gives no households. The person is
    returned when the BSN alone matched (for the audit log only; never shown to the asking party).
    """
    person = person_by_bsn(bsn)
    if person is None or person.date_of_birth != date_of_birth:
        return person, []
    at_address = find_households_by_address(postcode, house_number, addition).values("pk")
    return person, list(find_households_by_bsn(bsn).filter(pk__in=at_address).order_by("pk"))


def open_cases_with_directors(households) -> list[Case]:
    """The open cases of these households with team, director (user, team, home organisation) in one query."""
    return list(
        Case.objects.filter(household__in=list(households)).exclude(status=CaseStatus.CLOSED)
        .select_related("team", "regisseur__user", "regisseur__team", "regisseur__home_organisation")
        .order_by("pk")
    )


def latest_problem_domain_count(case_id: int, person_id: int):
    """The person's latest vastgestelde (not corrected) ZRM in the case: (date, problem domain count) or None."""
    from zrm.models import Measurement
    from zrm.selectors import effective

    return (effective(Measurement.objects.filter(case_id=case_id, person_id=person_id))
            .order_by("-date", "-pk").values_list("date", "problem_domain_count").first())


# --- Registration API (issue 6): households and persons of the caller's teams ---------------------

def _visible_household_ids(user):
    """Households with a case of one of the user's teams (a subquery)."""
    return Case.objects.filter(team_id__in=team_ids_of(user)).values("household_id")


def households_visible_to(user) -> QuerySet[Household]:
    """Households with at least one case of the user's teams, each with `member_count`, its current members
    (`current_memberships`, for the household type) and `visible_cases` (the user's teams' cases, newest
    first). A constant number of queries, whatever the number of households."""
    team_ids = team_ids_of(user)
    return (
        Household.objects.filter(pk__in=Case.objects.filter(team_id__in=team_ids).values("household_id"))
        .annotate(member_count=Count("memberships", filter=Q(memberships__valid_to__isnull=True)))
        .prefetch_related(
            Prefetch("memberships", queryset=HouseholdMembership.objects.filter(valid_to__isnull=True)
                     .select_related("person"), to_attr="current_memberships"),
            Prefetch("cases", queryset=Case.objects.filter(team_id__in=team_ids).order_by("-melding_date", "-pk"),
                     to_attr="visible_cases"),
        )
        .order_by("pk")
    )


def get_household_for(user, pk: int) -> Household:
    """A household with a case of the user's teams; 404 when it does not exist, 403 when only other teams
    hold it."""
    from django.shortcuts import get_object_or_404

    household = households_visible_to(user).filter(pk=pk).first()
    if household is None:
        get_object_or_404(Household, pk=pk)
        raise PermissionDenied("Dit huishouden hoort niet bij uw teams.")
    return household


def household_case_for_write(user, household: Household) -> Case:
    """The open case of the household in which the user may change it: 403 when another team holds the open
    case; a ValidationError (code no_open_case) when the household has no open case at all."""
    from django.core.exceptions import ValidationError

    case = open_case_of(household)
    if case is None:
        raise ValidationError("Dit huishouden heeft geen open casus; heropen eerst de casus.", code="no_open_case")
    if case.team_id not in team_ids_of(user):
        raise NeedToKnow(case)
    return case


def household_members(household: Household, *, current_only: bool = True) -> QuerySet[HouseholdMembership]:
    """The household's memberships with their persons, oldest member first."""
    qs = HouseholdMembership.objects.filter(household=household).select_related("person")
    if current_only:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("person__date_of_birth", "pk")


def get_person_for(user, pk: int) -> Person:
    """A person who is (or was) a member of a household of the user's teams, with `visible_memberships`
    (those households only); 404 when the person does not exist, 403 when only other teams know them."""
    from django.shortcuts import get_object_or_404

    person = get_object_or_404(Person, pk=pk)
    person.visible_memberships = list(
        HouseholdMembership.objects.filter(person=person, household_id__in=_visible_household_ids(user))
        .order_by("valid_from", "pk")
    )
    if not person.visible_memberships:
        raise PermissionDenied("Deze persoon hoort niet bij een huishouden van uw teams.")
    return person


def find_person_in_teams(user, bsn: str) -> tuple[Person | None, list[int]]:
    """(the person with this BSN, or None; the ids of the user's teams' households they are or were a member
    of). A person known only to other teams comes back with no households: the caller must not learn of them
    (the same rule as get_person_for)."""
    person = person_by_bsn(bsn)
    if person is None:
        return None, []
    household_ids = sorted(set(
        HouseholdMembership.objects.filter(person=person, household_id__in=_visible_household_ids(user))
        .values_list("household_id", flat=True)
    ))
    return person, household_ids


def registration_cases(user) -> QuerySet[Case]:
    """The cases of the user's teams with what the API shows, in one query."""
    return (
        cases_visible_to(user)
        .select_related("melding_source", "closure_reason", "team")
        .order_by("-melding_date", "-pk")
    )
