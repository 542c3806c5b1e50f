"""Reads of the MKBA: price book, who may see which scenario, and the registration figures of a
team (or all teams) in a year, each computed set-based in the database with a fixed number of
queries whatever the number of cases (no loops over households or persons).

Definitions of the registration figures (documented here because the MKBA 2.0 stands on them):

- *cases in scope*: cases of the team (all teams: every case) active during the year: melding on or
  before 31 December and not closed before 1 January.
- *households*: distinct households of those cases; *by type* (gezin / ouderen / overig) with the rule
  of cases.selectors.household_type on the current members living at home, ages on 31 December (or
  today, for the running year); *by category*: the heaviest LPBL category among the members' first
  effective ZRM (the baseline) in those cases, "onbekend" without any.
- *newly found*: households whose earliest case in scope has no earlier case (any team) and none of
  whose cases in scope has a trajectory that was already running at the start (team action "lopend",
  or "gestopt": a trajectory the team stopped was running when it came in).
- *team fte*: the fte of the active staff memberships of the team: sociaal werkers (members) and
  teamleiders (leaders). Staffing is not historised, so this is the current staffing.
- *extra care*: trajectories started (team action "gestart") by an external professional, judged not
  to have started without the team (would_have_started_without_team = False), started in the year
  (without a start date: melding in the year). Those without the judgement are counted apart and left out.
- *substitution*: (a) external trajectories stopped by the team, ended in the year, by their own type;
  (b) trajectories delivered by the team itself or the household's network that replace a professional
  trajectory (replaces_type), started in the year, by the replaced type, unless the same case has a
  stopped trajectory of that type in the year (counted once, under (a)).
- *coordination*: households with problems in two or more ZRM clusters at baseline (category
  meervoudig zelfredzaam or niet-zelfredzaam) and their trajectories active in the year.
- *prevented escalations*: escalations registered as prevented, dated in the year, per kind; for an
  uithuisplaatsing the number of children.
- *quality of life*: per person and case, a domain of Financiën or Dagbesteding/Tijdsbesteding (ZRM 2013
  dagbesteding and 2017 tijdsbesteding count as one) scored at most QALY_FROM_MAX_SCORE on the first
  effective measurement, that is above it on the last effective measurement up to 31 December and was not
  above it on the last one before 1 January: each improvement counts once, in the year it happened.
- *into work*: the same rule on the Participatieladder: at most 4 at baseline, 5 or 6 (paid work) now.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case as Switch
from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from cases.models import (
    Case,
    Deliverer,
    Escalation,
    Household,
    HouseholdMembership,
    Intervention,
    InterventionType,
    MemberRole,
    Role,
    StaffMembership,
    Team,
    TeamAction,
)
from cases.selectors import roles_of
from zrm.models import HouseholdCategory, Measurement, MeasurementStatus, Score

from .inputs import QALY_DOMAIN_GROUPS
from .models import PriceBook, PriceBookItem, Scenario

MKBA_ROLES = {Role.MUNICIPALITY, Role.ADMINISTRATOR, Role.TEAM_LEADER}
ALL_SCOPES_ROLES = {Role.MUNICIPALITY, Role.ADMINISTRATOR}

# Participatieladder: 5 betaald werk met ondersteuning, 6 betaald werk.
WORK_FROM_MAX = 4

CATEGORY_RANKS = {
    HouseholdCategory.SINGLE.value: 1,
    HouseholdCategory.MULTIPLE_SELF_RELIANT.value: 2,
    HouseholdCategory.MULTIPLE_NOT_SELF_RELIANT.value: 3,
}
CATEGORY_BY_RANK = {0: "onbekend", **{rank: code for code, rank in CATEGORY_RANKS.items()}}


# --- Price book -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PriceTable:
    version: int
    prices: dict[str, Decimal]
    labels: dict[str, str]
    units: dict[str, str]
    placeholders: frozenset[str]
    book_id: int


def current_price_book(on: dt.date | None = None) -> PriceBook | None:
    """The version in force on `on` (default today): the latest valid-from on or before that day."""
    on = on or dt.date.today()
    return PriceBook.objects.filter(valid_from__lte=on).order_by("-valid_from", "-version").first()


def price_book_by_version(version: int) -> PriceBook | None:
    return PriceBook.objects.filter(version=version).first()


def price_table(book: PriceBook) -> PriceTable:
    items = list(PriceBookItem.objects.filter(price_book=book).order_by("key"))
    return PriceTable(
        version=book.version,
        prices={item.key: item.amount for item in items},
        labels={item.key: item.label for item in items},
        units={item.key: item.unit for item in items},
        placeholders=frozenset(item.key for item in items if item.is_placeholder),
        book_id=book.pk,
    )


def price_book_in_use(book: PriceBook) -> bool:
    return Scenario.objects.filter(price_book=book).exists()


# --- Access ---------------------------------------------------------------------------------

def may_use_mkba(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or roles_of(user) & MKBA_ROLES)


def team_scope_of(user) -> set[int] | None:
    """Teams whose MKBA the user may see: None = every team (gemeente, beheerder); a team leader: the
    teams they lead (and always the all-teams aggregate). Raises PermissionDenied for anyone else."""
    if not may_use_mkba(user):
        raise PermissionDenied("Alleen de gemeente, teamleiders en functioneel beheerders zien de MKBA.")
    roles = roles_of(user)
    if user.is_superuser or roles & ALL_SCOPES_ROLES:
        return None
    return set(
        StaffMembership.objects.filter(user=user, active=True, role=Role.TEAM_LEADER).values_list("team_id", flat=True)
    )


def may_see_scope(user, team_id: int | None) -> bool:
    scope = team_scope_of(user)
    return team_id is None or scope is None or team_id in scope


def may_edit_scope(user, team_id: int | None) -> bool:
    """Team leaders change their own team's scenarios only; the all-teams ones are the gemeente's."""
    scope = team_scope_of(user)
    return scope is None or (team_id is not None and team_id in scope)


def get_scenario_for(user, pk: int) -> Scenario:
    scenario = get_object_or_404(Scenario.objects.select_related("team", "price_book"), pk=pk)
    if not may_see_scope(user, scenario.team_id):
        raise PermissionDenied("Dit scenario hoort bij een ander team.")
    return scenario


def teams_for(user) -> list[Team]:
    scope = team_scope_of(user)
    teams = Team.objects.order_by("name")
    return list(teams if scope is None else teams.filter(pk__in=scope))


def scenarios_of_scope(team_id: int | None, year: int):
    qs = Scenario.objects.filter(year=year).select_related("team", "price_book")
    qs = qs.filter(team__isnull=True) if team_id is None else qs.filter(team_id=team_id)
    return qs.order_by("-is_base", "name", "pk")


# --- Registration figures (MKBA 2.0) ----------------------------------------------------------

@dataclass
class RegistrationFigures:
    team_id: int | None
    team_name: str
    year: int
    households: int = 0
    households_by_type: dict[str, int] = field(default_factory=dict)
    households_by_category: dict[str, int] = field(default_factory=dict)
    newly_found: int = 0
    member_fte: Decimal = Decimal("0")
    leader_fte: Decimal = Decimal("0")
    extra_care: dict[str, int] = field(default_factory=dict)
    extra_care_unjudged: int = 0
    substitution_stopped: dict[str, int] = field(default_factory=dict)
    substitution_taken_over: dict[str, int] = field(default_factory=dict)
    multi_problem_households: int = 0
    multi_problem_interventions: int = 0
    escalations_prevented: dict[str, int] = field(default_factory=dict)
    qaly_improvements: dict[str, int] = field(default_factory=dict)
    into_work: int = 0
    type_labels: dict[str, str] = field(default_factory=dict)

    @property
    def substitution(self) -> dict[str, int]:
        out = dict(self.substitution_stopped)
        for code, n in self.substitution_taken_over.items():
            out[code] = out.get(code, 0) + n
        return out

    @property
    def caseload_per_fte(self) -> Decimal | None:
        if not self.member_fte:
            return None
        return (Decimal(self.households) / self.member_fte).quantize(Decimal("0.1"))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def cases_in_scope(team_id: int | None, year: int):
    start, end = year_bounds(year)
    qs = Case.objects.filter(melding_date__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    return qs if team_id is None else qs.filter(team_id=team_id)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _effective_measurements(qs):
    """Vastgestelde measurements that no vastgestelde correction replaced (as zrm.selectors.effective)."""
    superseded = Measurement.objects.filter(supersedes=OuterRef("pk"), status=MeasurementStatus.FINAL)
    return qs.filter(status=MeasurementStatus.FINAL).exclude(Exists(superseded))


def baseline_measurements(cases):
    """The first effective measurement of each person in each of these cases."""
    earlier = _effective_measurements(
        Measurement.objects.filter(person=OuterRef("person"), case=OuterRef("case"))
    ).filter(Q(date__lt=OuterRef("date")) | Q(date=OuterRef("date"), pk__lt=OuterRef("pk")))
    return _effective_measurements(Measurement.objects.filter(case__in=cases)).exclude(Exists(earlier))


def _households(cases):
    return Household.objects.filter(pk__in=cases.values("household_id"))


def _households_by_type(cases, on: dt.date) -> dict[str, int]:
    cutoff = _years_before(on, settings.WIJKREGIE["SENIOR_AGE"])  # born on or before: senior
    at_home = HouseholdMembership.objects.filter(household=OuterRef("pk"), valid_to__isnull=True, living_at_home=True)
    adults = Subquery(
        at_home.exclude(role=MemberRole.CHILD).order_by().values("household").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    rows = (
        _households(cases)
        .annotate(
            has_child=Exists(at_home.filter(role=MemberRole.CHILD)),
            has_young_parent=Exists(at_home.filter(role__in=[MemberRole.PARENT, MemberRole.PARTNER],
                                                   person__date_of_birth__gt=cutoff)),
            has_young_adult=Exists(at_home.exclude(role=MemberRole.CHILD).filter(person__date_of_birth__gt=cutoff)),
            adults=Coalesce(adults, 0),
        )
        .annotate(
            household_type=Switch(
                When(has_child=True, has_young_parent=True, then=Value("gezin")),
                When(has_child=False, adults__gte=1, adults__lte=2, has_young_adult=False, then=Value("ouderen")),
                default=Value("overig"),
                output_field=CharField(),
            )
        )
        .values_list("household_type", flat=True)
    )
    out = {"gezin": 0, "ouderen": 0, "overig": 0}
    for household_type in rows:  # one row per household: the classification itself ran in SQL
        out[household_type] += 1
    return out


def _category_rank():
    return Switch(
        *[When(household_category=code, then=Value(rank)) for code, rank in CATEGORY_RANKS.items()],
        default=Value(0), output_field=IntegerField(),
    )


def _households_with_rank(cases):
    """Households of the cases, each annotated with `rank`: its heaviest baseline category (0: no ZRM)."""
    heaviest = (
        baseline_measurements(cases).filter(case__household=OuterRef("pk"))
        .annotate(rank=_category_rank()).order_by().values("case__household").annotate(top=Max("rank")).values("top")[:1]
    )
    return _households(cases).annotate(rank=Coalesce(Subquery(heaviest, output_field=IntegerField()), 0))


def _households_by_category(cases) -> dict[str, int]:
    counts = {row["rank"]: row["n"] for row in
              _households_with_rank(cases).order_by().values("rank").annotate(n=Count("pk"))}
    return {CATEGORY_BY_RANK[rank]: counts.get(rank, 0) for rank in (1, 2, 3, 0)}


def _newly_found(cases) -> int:
    first_melding = Subquery(
        cases.filter(household=OuterRef("pk")).order_by("melding_date").values("melding_date")[:1]
    )
    earlier_case = Case.objects.filter(household=OuterRef("pk"), melding_date__lt=OuterRef("first_melding"))
    # A trajectory the team stopped was running at the start as well.
    running = Intervention.objects.filter(case__in=cases, case__household=OuterRef("pk"),
                                          team_action__in=[TeamAction.RUNNING, TeamAction.STOPPED])
    return (
        _households(cases).annotate(first_melding=first_melding)
        .filter(~Exists(earlier_case), ~Exists(running)).count()
    )


def _by_type(qs, field_name: str) -> dict[str, int]:
    return {row[field_name]: row["n"] for row in qs.order_by().values(field_name).annotate(n=Count("pk"))}


def _started_in(start: dt.date, end: dt.date) -> Q:
    return Q(start_date__range=(start, end)) | Q(start_date__isnull=True, case__melding_date__range=(start, end))


def _active_in(start: dt.date, end: dt.date) -> Q:
    return (Q(start_date__isnull=True) | Q(start_date__lte=end)) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


def _score_on_or_before(codes, day: dt.date, *, strict: bool):
    """The person's score (in the same case) on the domain group at the last effective measurement
    on (strict: before) `day` that scored the group, for an outer Score row."""
    superseded = Measurement.objects.filter(supersedes=OuterRef("measurement"), status=MeasurementStatus.FINAL)
    date_filter = {"measurement__date__lt" if strict else "measurement__date__lte": day}
    return Subquery(
        Score.objects.filter(
            measurement__person=OuterRef("measurement__person"), measurement__case=OuterRef("measurement__case"),
            measurement__status=MeasurementStatus.FINAL, domain__code__in=codes, **date_filter,
        ).exclude(Exists(superseded))
        .order_by("-measurement__date", "-measurement__pk").values("score")[:1],
        output_field=IntegerField(),
    )


def _qaly_improvements(cases, year: int) -> dict[str, int]:
    start, end = year_bounds(year)
    threshold = settings.WIJKREGIE_MKBA["QALY_FROM_MAX_SCORE"]
    baselines = baseline_measurements(cases)
    out = {}
    for group, (_, codes) in QALY_DOMAIN_GROUPS.items():
        out[group] = (
            Score.objects.filter(measurement__in=baselines, domain__code__in=codes, score__lte=threshold)
            .annotate(end_score=_score_on_or_before(codes, end, strict=False),
                      start_score=_score_on_or_before(codes, start, strict=True))
            .filter(end_score__gt=threshold)
            .filter(Q(start_score__isnull=True) | Q(start_score__lte=threshold))
            .count()
        )
    return out


def _ladder_on_or_before(day: dt.date, *, strict: bool):
    date_filter = {"date__lt" if strict else "date__lte": day}
    return Subquery(
        _effective_measurements(Measurement.objects.filter(
            person=OuterRef("person"), case=OuterRef("case"), **date_filter))
        .order_by("-date", "-pk").values("participatieladder")[:1],
        output_field=IntegerField(),
    )


def _into_work(cases, year: int) -> int:
    start, end = year_bounds(year)
    return (
        baseline_measurements(cases).filter(participatieladder__lte=WORK_FROM_MAX)
        .annotate(end_ladder=_ladder_on_or_before(end, strict=False),
                  start_ladder=_ladder_on_or_before(start, strict=True))
        .filter(end_ladder__gt=WORK_FROM_MAX)
        .filter(Q(start_ladder__isnull=True) | Q(start_ladder__lte=WORK_FROM_MAX))
        .count()
    )


def registration_figures(team_id: int | None, year: int, *, today: dt.date | None = None) -> RegistrationFigures:
    """Every figure the MKBA 2.0 takes from the registration, for a team (None: all teams) and a year."""
    today = today or dt.date.today()
    start, end = year_bounds(year)
    team_name = Team.objects.filter(pk=team_id).values_list("name", flat=True).first() if team_id else "Alle teams"
    cases = cases_in_scope(team_id, year)
    figures = RegistrationFigures(team_id=team_id, team_name=team_name or "", year=year)

    figures.households = _households(cases).count()
    figures.households_by_type = _households_by_type(cases, min(end, today))
    figures.households_by_category = _households_by_category(cases)
    figures.newly_found = _newly_found(cases)

    staff = StaffMembership.objects.filter(active=True, team__isnull=False)
    if team_id is not None:
        staff = staff.filter(team_id=team_id)
    fte = staff.aggregate(member=Sum("fte", filter=Q(role=Role.SOCIAL_WORKER)),
                          leader=Sum("fte", filter=Q(role=Role.TEAM_LEADER)))
    figures.member_fte = fte["member"] or Decimal("0")
    figures.leader_fte = fte["leader"] or Decimal("0")

    interventions = Intervention.objects.filter(case__in=cases)
    started_external = interventions.filter(team_action=TeamAction.STARTED, deliverer=Deliverer.EXTERNAL).filter(
        _started_in(start, end))
    figures.extra_care = _by_type(started_external.filter(would_have_started_without_team=False), "type__code")
    figures.extra_care_unjudged = started_external.filter(would_have_started_without_team__isnull=True).count()

    stopped = interventions.filter(team_action=TeamAction.STOPPED, deliverer=Deliverer.EXTERNAL,
                                   end_date__range=(start, end))
    figures.substitution_stopped = _by_type(stopped, "type__code")
    stopped_same_type = Intervention.objects.filter(
        case=OuterRef("case"), type=OuterRef("replaces_type"), team_action=TeamAction.STOPPED,
        deliverer=Deliverer.EXTERNAL, end_date__range=(start, end))
    taken_over = (
        interventions.filter(deliverer__in=[Deliverer.TEAM, Deliverer.NETWORK], replaces_type__isnull=False)
        .exclude(team_action=TeamAction.STOPPED).filter(_started_in(start, end))
        .exclude(Exists(stopped_same_type))
    )
    figures.substitution_taken_over = _by_type(taken_over, "replaces_type__code")

    multi = _households_with_rank(cases).filter(rank__gte=CATEGORY_RANKS[HouseholdCategory.MULTIPLE_SELF_RELIANT])
    figures.multi_problem_households = multi.count()
    figures.multi_problem_interventions = interventions.filter(
        case__household__in=multi.values("pk")).filter(_active_in(start, end)).count()

    prevented = {}
    for row in (Escalation.objects.filter(case__in=cases, prevented=True, date__range=(start, end))
                .order_by().values("kind").annotate(n=Count("pk"), children=Sum("children_count"))):
        prevented[row["kind"]] = row["children"] if row["kind"] == "uhp" else row["n"]
    figures.escalations_prevented = prevented

    figures.qaly_improvements = _qaly_improvements(cases, year)
    figures.into_work = _into_work(cases, year)
    figures.type_labels = dict(InterventionType.objects.values_list("code", "label"))
    return figures
