"""Reads of the zrm app: versions and domains, measurements, history, comparison and schedule.

Every list here runs a fixed number of queries whatever the number of rows.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from cases.models import Case, CaseStatus, Household, HouseholdMembership, MemberRole, Person

from . import schedule, validation
from .models import (
    AnchorText,
    Domain,
    DomainMapping,
    InstrumentVersion,
    LevelLabel,
    Measurement,
    MeasurementStatus,
    MeasurementType,
    Score,
)

# --- Versions and domains -------------------------------------------------------------------


def active_version() -> InstrumentVersion:
    """The municipality's active ZRM version (admin: Instrumentversies)."""
    version = InstrumentVersion.objects.filter(instrument__code="zrm", is_active=True).first()
    if version is None:  # a misconfiguration; fall back to the newest version rather than failing
        version = InstrumentVersion.objects.filter(instrument__code="zrm").order_by("-year").first()
    return version


def version_by_code(code: str) -> InstrumentVersion | None:
    return InstrumentVersion.objects.filter(code=code).first()


def has_child_at_home(household_id: int) -> bool:
    """A current member with role kind who lives at home: only then is the child module scored."""
    return HouseholdMembership.objects.filter(
        household_id=household_id, valid_to__isnull=True, living_at_home=True, role=MemberRole.CHILD
    ).exists()


def offered_domains(version: InstrumentVersion, household_id: int) -> list[Domain]:
    """The domains a measurement of this version offers for this household, in order."""
    child_at_home = has_child_at_home(household_id)
    return validation.offered_domains(Domain.objects.filter(version=version).order_by("order"),
                                      child_at_home=child_at_home)


def level_labels(version: InstrumentVersion) -> dict[int, str]:
    return dict(LevelLabel.objects.filter(version=version).values_list("level", "label"))


def anchor_texts(version: InstrumentVersion) -> dict[tuple[str, int], str]:
    """(domain code, level) -> anchor text, for the texts that have been imported."""
    return {
        (code, level): text
        for code, level, text in AnchorText.objects.filter(domain__version=version).values_list(
            "domain__code", "level", "text"
        )
    }


def is_current_member(household_id: int, person_id: int) -> bool:
    return HouseholdMembership.objects.filter(
        household_id=household_id, person_id=person_id, valid_to__isnull=True
    ).exists()


def current_member_persons(household_id: int) -> list[Person]:
    return [
        m.person
        for m in HouseholdMembership.objects.filter(household_id=household_id, valid_to__isnull=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    ]


# --- Measurements ---------------------------------------------------------------------------


def _superseded_by_final():
    return Exists(Measurement.objects.filter(supersedes=OuterRef("pk"), status=MeasurementStatus.FINAL))


def effective(qs: QuerySet[Measurement]) -> QuerySet[Measurement]:
    """Vastgestelde measurements that no vastgestelde correction replaced."""
    return qs.filter(status=MeasurementStatus.FINAL).exclude(_superseded_by_final())


def with_details(qs: QuerySet[Measurement]) -> QuerySet[Measurement]:
    return qs.select_related(
        "version", "person", "assessor__user", "supersedes", "case"
    ).prefetch_related(
        Prefetch("scores", queryset=Score.objects.select_related("domain").order_by("domain__order")),
    ).annotate(is_superseded=_superseded_by_final())


def get_measurement(pk: int) -> Measurement:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(with_details(Measurement.objects.all()), pk=pk)


@dataclass
class CasePanel:
    """The ZRM panel of the casus page (zrm_tags.zrm_case_panel).

    `measurements`: every measurement of the case with `is_superseded`, person and case attached, ordered
    by person, date, pk (the casus page reuses them for the plan's low domains); `shown`: the measurements
    whose data the panel shows (one audit row each).
    """

    case: Case
    today: dt.date
    measurements: list[Measurement]
    rows: list[dict]
    schedule: list[schedule.DueItem]
    shown: list[Measurement]


def case_panel(case: Case, today: dt.date, members: list[Person] | None = None) -> CasePanel:
    """Everything the ZRM panel shows, in one query (two when a former member has measurements).

    `members`: the household's current member persons in panel order (role, date of birth, pk), when the
    caller already has them; else read here.
    """
    if members is None:
        members = current_member_persons(case.household_id)
    measurements = list(
        Measurement.objects.filter(case=case).annotate(is_superseded=_superseded_by_final())
        .order_by("person_id", "date", "pk")
    )
    persons = {p.pk: p for p in members}
    missing = {m.person_id for m in measurements} - persons.keys()
    former = Person.objects.in_bulk(missing) if missing else {}
    for m in measurements:  # in (person, date) order: former members follow the current ones by pk
        if m.person_id not in persons:
            persons[m.person_id] = former[m.person_id]
        m.person = persons[m.person_id]
        m.case = case
    current_ids = {p.pk for p in members}
    own: dict[int, list[Measurement]] = defaultdict(list)
    for m in measurements:
        own[m.person_id].append(m)
    rows, shown = [], []
    for pk, person in persons.items():
        mine = own.get(pk, [])
        final = [m for m in mine if m.status == MeasurementStatus.FINAL and not m.is_superseded]
        latest = final[-1] if final else None
        drafts = [m for m in mine if m.status == MeasurementStatus.DRAFT]
        shown += ([latest] if latest else []) + drafts
        rows.append({"person": person, "latest": latest, "drafts": drafts, "count": len(mine),
                     "is_member": pk in current_ids})
    dates: dict[str, list[dt.date]] = defaultdict(list)
    for m in measurements:  # as _dates_by_case, without a second query
        if m.status == MeasurementStatus.FINAL and not m.is_superseded and m.type in SCHEDULED_TYPES:
            dates[m.type].append(m.date)
    return CasePanel(case=case, today=today, measurements=measurements, rows=rows,
                     schedule=_schedule_for(case, dates, today), shown=shown)


def person_measurements(person: Person, team_ids) -> list[Measurement]:
    """Every measurement of this person in cases of the given teams (need-to-know), oldest first."""
    return list(
        with_details(Measurement.objects.filter(person=person, case__team_id__in=team_ids)).order_by(
            "date", "created_at", "pk"
        )
    )


def household_measurements(household: Household, team_ids) -> list[Measurement]:
    return list(
        with_details(
            Measurement.objects.filter(case__household=household, case__team_id__in=team_ids)
        ).order_by("person_id", "date", "created_at", "pk")
    )


def open_draft(case: Case, person: Person) -> Measurement | None:
    return Measurement.objects.filter(case=case, person=person, status=MeasurementStatus.DRAFT).order_by("-pk").first()


def score_map(measurement: Measurement) -> dict[str, Score]:
    return {score.domain.code: score for score in measurement.scores.all()}


# --- Comparison across measurements and versions ---------------------------------------------


def _mapping() -> dict[str, dict[str, list[str]]]:
    """{older version code: {older domain code: [newer domain codes]}}."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for src_version, src, tgt in DomainMapping.objects.values_list(
        "source__version__code", "source__code", "target__code"
    ):
        out[src_version][src].append(tgt)
    return out


@dataclass(frozen=True)
class DomainComparison:
    code: str
    name: str
    baseline: int | None
    latest: int | None

    @property
    def difference(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


@dataclass(frozen=True)
class Comparison:
    baseline: Measurement
    latest: Measurement
    rows: list[DomainComparison]
    crossed_versions: bool
    basis_version: InstrumentVersion


def _values(measurement: Measurement) -> dict[str, int | None]:
    return {score.domain.code: score.score for score in measurement.scores.all()}


def project(measurement: Measurement, onto: InstrumentVersion, mapping) -> dict[str, int | None]:
    """A measurement's scores on another version's domains: a newer pair is read as its older
    parent taking the lower of the two scores (conservative, DOMAIN.md §2)."""
    values = _values(measurement)
    if measurement.version_id == onto.pk:
        return values
    if onto.code in mapping:  # projecting a newer measurement onto the older version
        out = {}
        for parent, children in mapping[onto.code].items():
            scored = [values[c] for c in children if values.get(c) is not None]
            out[parent] = min(scored) if scored else None
        return out
    # an older measurement onto a newer version: each child takes its parent's score
    out = {}
    for parent, children in mapping.get(measurement.version.code, {}).items():
        for child in children:
            out[child] = values.get(parent)
    return out


def baseline_and_latest(measurements: list[Measurement]) -> Comparison | None:
    """Baseline = first effective measurement, latest = last effective one (DOMAIN.md §2).

    Same version: compared per domain. Different versions: both read on the older version's
    domains through the mapping, and `crossed_versions` says so.
    """
    final = [m for m in measurements if m.status == MeasurementStatus.FINAL and not getattr(m, "is_superseded", False)]
    if not final:
        return None
    final.sort(key=lambda m: (m.date, m.created_at, m.pk))
    baseline, latest = final[0], final[-1]
    crossed = baseline.version_id != latest.version_id
    if crossed:
        mapping = _mapping()
        basis = baseline.version if baseline.version.year < latest.version.year else latest.version
        base_values = project(baseline, basis, mapping)
        latest_values = project(latest, basis, mapping)
    else:
        basis = baseline.version
        base_values, latest_values = _values(baseline), _values(latest)
    domains = Domain.objects.filter(version=basis).order_by("order")
    rows = [
        DomainComparison(d.code, d.name, base_values.get(d.code), latest_values.get(d.code))
        for d in domains
        if d.code in base_values or d.code in latest_values
    ]
    return Comparison(baseline, latest, rows, crossed, basis)


def previous_scores(person: Person, version: InstrumentVersion, *, exclude_pk: int | None = None):
    """The person's latest effective measurement read on `version`'s domains:
    (measurement or None, {domain code: score or None}, {domain code: reason})."""
    qs = effective(Measurement.objects.filter(person=person))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    previous = (
        qs.select_related("version")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("domain")))
        .order_by("-date", "-created_at", "-pk")
        .first()
    )
    if previous is None:
        return None, {}, {}
    reasons = {s.domain.code: s.not_scored_reason for s in previous.scores.all() if s.score is None}
    if previous.version_id == version.pk:
        return previous, _values(previous), reasons
    return previous, project(previous, version, _mapping()), {}


# --- Schedule --------------------------------------------------------------------------------


SCHEDULED_TYPES = (MeasurementType.NULMETING, MeasurementType.TUSSENMETING, MeasurementType.AFSLUITING)


def _dates_by_case(case_ids) -> dict[int, dict[str, list[dt.date]]]:
    """One query: the effective scheduled-measurement dates of each case. `case_ids`: ids, or a queryset of
    ids (a subquery: hundreds of ids as parameters cost more than the query)."""
    out: dict[int, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    ids = case_ids if isinstance(case_ids, QuerySet) else list(case_ids)
    rows = effective(Measurement.objects.filter(case_id__in=ids, type__in=SCHEDULED_TYPES)).values_list(
        "case_id", "type", "date"
    ).order_by()
    for case_id, kind, day in rows:
        out[case_id][kind].append(day)
    return out


def _schedule_for(case: Case, dates: dict[str, list[dt.date]], today: dt.date) -> list[schedule.DueItem]:
    return schedule.case_schedule(
        melding_date=case.melding_date,
        closed_on=case.closed_on if case.status == CaseStatus.CLOSED else None,
        nulmeting_dates=dates.get(MeasurementType.NULMETING, []),
        tussenmeting_dates=dates.get(MeasurementType.TUSSENMETING, []),
        afsluiting_dates=dates.get(MeasurementType.AFSLUITING, []),
        today=today,
    )


def case_schedule(case: Case, today: dt.date) -> list[schedule.DueItem]:
    return _schedule_for(case, _dates_by_case([case.pk]).get(case.pk, {}), today)


def schedules_for_cases(cases, today: dt.date, case_ids=None) -> dict[int, list[schedule.DueItem]]:
    """The schedule of every given case, with one query whatever the number of cases (`case_ids`: the same
    cases as a queryset of ids, for a long list)."""
    cases = list(cases)
    dates = _dates_by_case(case_ids if case_ids is not None else (c.pk for c in cases)) if cases else {}
    return {case.pk: _schedule_for(case, dates.get(case.pk, {}), today) for case in cases}


def next_due_by_case(cases, today: dt.date) -> dict[int, schedule.DueItem | None]:
    return {pk: schedule.next_open(items) for pk, items in schedules_for_cases(cases, today).items()}


def open_cases_by_director() -> QuerySet[Case]:
    """Open cases with an active director who has an e-mail address, for the daily digest."""
    return (
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(regisseur__active=True, regisseur__user__is_active=True)
        .exclude(Q(regisseur__user__email="") | Q(regisseur__user__email__isnull=True))
        .select_related("regisseur__user")
        .order_by("regisseur__user_id", "melding_date", "pk")
    )
