"""Extension points: what an app above cases (zrm) adds to case work, without cases importing it.

The layers run common <- cases <- zrm <- reporting, yet some case screens and rules need what zrm knows: the
next ZRM due per case (caseload lists), the persons' latest scores (the plan's low domains, finalising a plan,
the regiecheck summary, closing a case), the ZRM panel of the casus page, the measurements in a subject-access
export and the ZRM domains a goal can be on. cases states each need here as a small Protocol and calls whatever
is registered; zrm registers its implementations in `ZrmConfig.ready` (zrm/case_extensions.py).

Two kinds of extension point:
- a `Slot` holds one provider; until one is registered it answers as if no measurement existed;
- a `Hooks` holds any number of providers, called in registration order.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import Case, Person

P = TypeVar("P")


class Slot(Generic[P]):
    """One provider of a Protocol; `default` answers until an app registers its own."""

    def __init__(self, name: str, default: P):
        self.name = name
        self._default = default
        self._provider: P | None = None

    def register(self, provider: P) -> P:
        self._provider = provider
        return provider

    @property
    def provider(self) -> P:
        return self._provider if self._provider is not None else self._default


class Hooks(Generic[P]):
    """Any number of providers of a Protocol, in registration order (each registered once)."""

    def __init__(self, name: str):
        self.name = name
        self._providers: list[P] = []

    def register(self, provider: P) -> P:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def __iter__(self):
        return iter(list(self._providers))


# --- Next measurement due per case (caseload lists) -------------------------------------------------

@dataclass(frozen=True)
class DueAction:
    """The next measurement a case owes, as the lists show it."""

    label: str  # e.g. "ZRM: nulmeting"
    due: dt.date
    is_overdue: bool


class CaseSchedule(Protocol):
    def next_due_by_case(self, cases: Sequence[Case], today: dt.date) -> Mapping[int, DueAction | None]:
        """Per case id, the next open measurement of its schedule (None when none is open); a fixed number of
        queries whatever the number of cases."""


class NoSchedule:
    def next_due_by_case(self, cases, today):
        return {}


case_schedule: Slot[CaseSchedule] = Slot("next measurement due per case", NoSchedule())


# --- The persons' latest measurements in a case (plan, closing, regiecheck) ----------------------------

@dataclass(frozen=True)
class LatestMeasurement:
    """A person's latest vastgestelde measurement in a case that no correction replaced."""

    person_id: int
    measurement_id: int
    date: dt.date
    problem_domain_count: int | None = None


@dataclass(frozen=True)
class LowScore:
    """A domain scored at or below a threshold on a measurement."""

    measurement_id: int
    domain: Any  # the scored domain, its version loaded (.pk, .code, .name, .order, .version)
    score: int


class Measurements(Protocol):
    def latest_effective(self, case_id: int, person_ids: Iterable[int], *, measured_from: dt.date | None = None,
                         measured_to: dt.date | None = None) -> dict[int, LatestMeasurement]:
        """Per person id, the person's latest effective measurement in the case (optionally dated in
        [measured_from, measured_to]); persons without one are left out. One query."""

    def low_scores(self, measurement_ids: Collection[int], max_score: int) -> list[LowScore]:
        """The scores of at most `max_score` on these measurements, by domain order, then pk. One query (none
        for no measurements)."""

    def persons_without_closing_measurement(self, case_id: int) -> set[int]:
        """The persons with a vastgestelde measurement in the case but no vastgestelde closing one."""


class NoMeasurements:
    def latest_effective(self, case_id, person_ids, *, measured_from=None, measured_to=None):
        return {}

    def low_scores(self, measurement_ids, max_score):
        return []

    def persons_without_closing_measurement(self, case_id):
        return set()


measurements: Slot[Measurements] = Slot("latest measurements of persons in a case", NoMeasurements())


# --- The domains a plan's goal can be on (Goal.domain, LowDomainReason.domain) ---------------------------

class Domains(Protocol):
    def for_goals(self, case_id: int, persons: QuerySet[Person] | Iterable[Person]) -> QuerySet:
        """The domains a goal in this case can be on: the active instrument version's, plus the versions the
        persons were measured on in the case; ordered by version year, then domain order."""

    def find(self, code: str, version_code: str | None = None) -> tuple[Any | None, Any | None]:
        """(instrument version, domain) for a domain code in the version with that code, or in the active
        version when no code is given: (None, None) for an unknown version, (version, None) for an unknown
        domain. The version has a `.name`."""


class NoDomains:
    def for_goals(self, case_id, persons):
        from .models import Goal

        return Goal._meta.get_field("domain").related_model.objects.none()

    def find(self, code, version_code=None):
        return None, None


domains: Slot[Domains] = Slot("domain lookup", NoDomains())


# --- Panels of the casus page ------------------------------------------------------------------------

@dataclass
class CasePagePanel:
    """What an app adds to the casus page: a template included after the consent panel, rendered with the
    page's context plus `context`, and the audit rows of the personal data it shows, which the page writes
    with its own reads (in one INSERT when the purposes agree)."""

    template: str
    context: dict[str, Any]
    reads: list[tuple] = field(default_factory=list)  # (obj, person, case) per object shown
    reads_purpose: str | None = None  # None: the page's purpose; else these rows keep this one
    # When the panel read the case's measurements: each person's latest effective one, so that the plan's
    # low domains need no query of their own.
    latest_measurements: Mapping[int, LatestMeasurement] | None = None


class CasePagePanelProvider(Protocol):
    def __call__(self, case: Case, members: list[Person]) -> CasePagePanel:
        """The panel for this case; `members`: the household's current member persons in page order."""


case_page_panels: Hooks[CasePagePanelProvider] = Hooks("casus page panels")


# --- Sections of a subject-access export (cases/subject_access.py) ----------------------------------------

@dataclass(frozen=True)
class SubjectAccessSection:
    """Data an app holds on a person, added to the export after the cases (JSON) and after the household
    memberships (PDF)."""

    key: str  # the JSON key
    title: str  # the PDF heading and the row of the privacy officer's summary
    count_key: str  # the summary's key in the screen's counts
    columns: list[str]  # the PDF table's columns
    collect: Callable[[Person], list[dict]]  # JSON-ready rows (a fixed number of queries)
    # A table per row in the PDF after the section's table: row -> (heading, rows, columns)
    details: Callable[[dict], tuple[str, list[dict], list[str]]] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # PDF column headers of its own fields


subject_access_sections: Hooks[SubjectAccessSection] = Hooks("subject-access sections")
