"""k-anonymity of the research extract: generalise the quasi-identifiers, then suppress what stays rare.

Quasi-identifiers are what someone outside the team can know about a resident: age, where they live
(team, wijk, postcode), when the team was called in (the melding), the household's make-up and the
person's place in it. On exact values nearly every row of the extract was unique (586 of 597
combinations of birth year, 4-digit postcode and melding date), so a pseudonym was a name.

The scheme (global recoding along a fixed ladder, then suppression):

- Each row (one person in one case) gets its quasi-identifiers at the levels of one step of LADDER:
  age at the melding date in 5-year bands (85+ at the top), 10-year bands (80+), or the reporting age groups (jeugd,
  volwassenen, ouderen, as the aggregates); area as team + wijk + 2-digit postcode area, team +
  postcode area, or postcode area alone; the melding (and every other date in the row, so no date
  gives it away) as month, quarter or year; household type (gezin, ouderen, overig, on the melding
  date, as the aggregates) and role (ouder, partner, kind, overig), or left out.
- An equivalence class is a combination of the published quasi-identifiers; its size is the number
  of distinct persons in it. The first step of the ladder at which the classes smaller than k hold at
  most `max_suppression` of the rows is used for the whole extract (when none does, the step that
  suppresses fewest rows).
- The rows in classes smaller than k are left out (suppressed). What is published therefore has no
  class with fewer than k persons. k is WIJKREGIE_RESEARCH_K_ANONYMITY (default 5); the suppression
  budget WIJKREGIE_RESEARCH_MAX_SUPPRESSION_PERCENT (default 5).

Not quasi-identifiers (outcome attributes a researcher studies, not what an outsider knows): melding
source, closure reason, reopening, ZRM scores, interventions; their dates are generalised with the
melding. The pseudonyms link the rows of one household and one person; each row is k-anonymous on
its own; the combination of a household's rows is not checked (a known limit, stated in the README).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# Quasi-identifying fields of a published row, in the order of a class key.
QUASI_IDENTIFIERS = ("ageBand", "role", "team", "wijk", "postcodeArea", "householdType", "meldingPeriod")


@dataclass(frozen=True)
class QuasiRecord:
    """The exact quasi-identifiers of one person in one case (never published as such)."""

    case_id: int
    person_id: int
    age: int  # on the melding date
    role: str
    team: str
    wijk: str
    postcode: str
    melding_date: dt.date
    household_type: str


@dataclass(frozen=True)
class Step:
    """Levels of generalisation: age 0-2 (5-year band, 10-year band, age group), area 0-2 (team + wijk +
    postcode area, team + postcode area, postcode area), period 0-2 (month, quarter, year), household
    type and role 0-1 (shown, left out)."""

    age: int
    area: int
    period: int
    household_type: int
    role: int


LADDER = (
    Step(age=0, area=0, period=0, household_type=0, role=0),
    Step(age=1, area=0, period=0, household_type=0, role=0),
    Step(age=1, area=0, period=1, household_type=0, role=0),
    Step(age=2, area=0, period=1, household_type=0, role=0),
    Step(age=2, area=0, period=1, household_type=0, role=1),
    Step(age=2, area=1, period=1, household_type=0, role=1),
    Step(age=2, area=1, period=2, household_type=0, role=1),
    Step(age=2, area=2, period=2, household_type=0, role=1),
    Step(age=2, area=2, period=2, household_type=1, role=1),
)


def age_band(age: int, level: int, youth_age: int, senior_age: int) -> str:
    age = max(age, 0)  # a child born after the melding counts as 0
    if level == 0:
        return "85+" if age >= 85 else f"{age // 5 * 5}-{age // 5 * 5 + 4}"
    if level == 1:
        return "80+" if age >= 80 else f"{age // 10 * 10}-{age // 10 * 10 + 9}"
    return "jeugd" if age < youth_age else "volwassenen" if age < senior_age else "ouderen"


def period(day: dt.date | None, level: int) -> str | None:
    """A date as month (2025-03), quarter (2025-Q1) or year (2025)."""
    if day is None:
        return None
    if level == 0:
        return f"{day.year}-{day.month:02d}"
    if level == 1:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def generalise(record: QuasiRecord, step: Step, youth_age: int, senior_age: int) -> dict:
    """The published quasi-identifiers of a record at `step` (None where left out)."""
    return {
        "ageBand": age_band(record.age, step.age, youth_age, senior_age),
        "role": record.role if step.role == 0 else None,
        "team": record.team if step.area <= 1 else None,
        "wijk": (record.wijk or None) if step.area == 0 else None,
        "postcodeArea": record.postcode[:2] or None,
        "householdType": record.household_type if step.household_type == 0 else None,
        "meldingPeriod": period(record.melding_date, step.period),
    }


@dataclass
class Release:
    """What may be published: the step used and, per (case id, person id), the row's quasi-identifiers."""

    k: int
    step: Step
    published: dict[tuple[int, int], dict]
    suppressed: int

    @property
    def case_ids(self) -> set[int]:
        return {case_id for case_id, _ in self.published}


def _columns(records: list[QuasiRecord], youth_age: int, senior_age: int) -> dict:
    """Every quasi-identifier at every level, one list per (name, level), computed once for all steps."""
    return {
        **{("age", level): [age_band(r.age, level, youth_age, senior_age) for r in records] for level in (0, 1, 2)},
        **{("period", level): [period(r.melding_date, level) for r in records] for level in (0, 1, 2)},
        ("role", 0): [r.role for r in records],
        ("team", 0): [r.team for r in records],
        ("wijk", 0): [r.wijk or None for r in records],
        ("postcode", 0): [r.postcode[:2] or None for r in records],
        ("household_type", 0): [r.household_type for r in records],
    }


def _keys(columns: dict, step: Step, n: int) -> list[tuple]:
    """The class key (QUASI_IDENTIFIERS order) of every record at `step`."""
    none = [None] * n
    return list(zip(
        columns["age", step.age],
        columns["role", 0] if step.role == 0 else none,
        columns["team", 0] if step.area <= 1 else none,
        columns["wijk", 0] if step.area == 0 else none,
        columns["postcode", 0],
        columns["household_type", 0] if step.household_type == 0 else none,
        columns["period", step.period],
        strict=True,
    ))


def _small_classes(keys: list[tuple], person_ids: list[int], k: int) -> set[tuple]:
    persons = Counter(key for key, _ in set(zip(keys, person_ids, strict=True)))
    return {key for key, n in persons.items() if n < k}


def anonymise(records: Iterable[QuasiRecord], *, k: int, max_suppression: float, youth_age: int = 18,
              senior_age: int = 65) -> Release:
    """Choose the first step of LADDER that suppresses at most `max_suppression` (a fraction) of the records
    (else the step that suppresses fewest) and leave out the records in classes of fewer than k persons."""
    records = list(records)
    k = max(int(k), 1)
    columns = _columns(records, youth_age, senior_age)
    person_ids = [r.person_id for r in records]
    best = None
    for step in LADDER:
        keys = _keys(columns, step, len(records))
        small = _small_classes(keys, person_ids, k)
        suppressed = sum(1 for key in keys if key in small)
        if best is None or suppressed < best[1]:
            best = (step, suppressed, keys, small)
        if suppressed <= max_suppression * len(records):
            best = (step, suppressed, keys, small)
            break
    step, suppressed, keys, small = best
    published = {(record.case_id, record.person_id): dict(zip(QUASI_IDENTIFIERS, key, strict=True))
                 for record, key in zip(records, keys, strict=True) if key not in small}
    return Release(k=k, step=step, published=published, suppressed=suppressed)
