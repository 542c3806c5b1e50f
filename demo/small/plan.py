"""Demo data, the small hand-built set: the *plan* (pure Python, no database).

`plan_staff` and `plan_households` turn a Scale and a seed into plain dataclasses. Same scale,
seed and day in, the same plan out. demo/small/load.py writes the plan to the database; the
municipal-scale sets of demo/bulk reuse the team specs, names, addresses and code-list weights.

All names, addresses and BSNs are generated (Faker nl_NL, elfproef-valid BSNs). The data are
for demonstrations only.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

from django.conf import settings

from cases.models import CaseStatus, MemberRole, Role
from common.validators import complete_bsn

DEFAULT_SEED = 20261122

# Postcode letters as PostNL hands them out: no F, I, O, Q, U, Y; SA, SD and SS are never used.
_POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"
_FORBIDDEN_PAIRS = {"SA", "SD", "SS"}


# --- Scales -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamSpec:
    name: str
    municipality: str
    wijk: str
    # 4-digit postcode area -> streets in it
    streets: dict[str, tuple[str, ...]]

    @property
    def postcode_areas(self) -> list[str]:
        return sorted(self.streets)


@dataclass(frozen=True)
class Scale:
    name: str
    teams: tuple[TeamSpec, ...]
    workers_per_team: int
    households_per_team: int
    municipality_users: int = 1
    administrators: int = 1
    # How far back the oldest melding of a current case may lie.
    history_days: int = 720


GRONINGEN_TEAMS = (
    TeamSpec(
        name="Wijkteam Oosterparkwijk",
        municipality="Groningen",
        wijk="Oosterparkwijk",
        streets={
            "9713": ("Oosterparkstraat", "Violenstraat", "Papaverstraat", "Anjelierstraat", "Korenbloemstraat",
                     "Tuinbouwstraat", "Zaagmuldersweg", "Klaprozenstraat"),
            "9714": ("Damsterdiep", "Oosterhamriklaan", "Vinkenstraat", "Gerbrandastraat", "Boterdiep",
                     "Iepenlaan", "Kastanjelaan"),
        },
    ),
    TeamSpec(
        name="Wijkteam Vinkhuizen",
        municipality="Groningen",
        wijk="Vinkhuizen",
        streets={
            "9743": ("Siersteenlaan", "Merelstraat", "Lijsterlaan", "Roodborststraat", "Kwikstaartweg",
                     "Spreeuwenstraat", "Koolmeesstraat"),
            "9744": ("Goudvinkstraat", "Mezenlaan", "Zwaluwstraat", "Reigerstraat", "Kievitlaan",
                     "Grutto", "Wielewaalstraat", "Havikstraat"),
        },
    ),
)

SCALES: dict[str, Scale] = {
    # Two beheerders, so the four-eyes approval of access (issue 15) can be tried: beheerder and beheerder2.
    "demo": Scale(name="demo", teams=GRONINGEN_TEAMS, workers_per_team=6, households_per_team=100, administrators=2),
}

ORGANISATIONS = (
    "Welzijn Stad Groningen",
    "Jeugdhulp Noorderland",
    "GGZ Noorderland",
    "Verslavingszorg Noorderland",
    "Thuiszorg Stad en Ommeland",
    "Gemeente Groningen",
)
# discipline -> index into ORGANISATIONS
DISCIPLINES = (
    ("Maatschappelijk werk", 0),
    ("Ouderenwerk", 0),
    ("Jeugd en gezin", 1),
    ("GGZ", 2),
    ("Verslavingszorg", 3),
    ("Wijkverpleging", 4),
    ("Wmo-consulent", 5),
    ("Werk en inkomen", 5),
)
MUNICIPALITY_ORG = 5

TRANSFER_REASONS = (
    "Caseloadverdeling binnen het team",
    "Langdurig verlof van de regisseur",
    "Specifieke expertise nodig (GGZ)",
    "Specifieke expertise nodig (jeugd)",
    "Wens van het huishouden",
    "Regisseur gaat minder uren werken",
)

# Code-list weights: common sources and reasons come up more often.
SOURCE_WEIGHTS = {
    "zelfmelder": 22, "huisarts_poh": 12, "school": 8, "wijkagent_politie": 5, "woningcorporatie": 9,
    "moederorganisatie": 7, "wijkverpleegkundige": 5, "meldpunt_zorg_overlast": 4,
    "vroegsignalering_schulden": 9, "veilig_thuis_jeugdbescherming": 4, "ggz_tweede_lijn": 4,
    "buurtwelzijn_opbouwwerk": 4, "familie_buren": 5, "overig": 2,
}
CLOSURE_WEIGHTS = {
    "doelen_behaald": 30, "redt_het_zelf": 15, "overgedragen_nulde_lijn": 6, "overgedragen_eerste_lijn": 10,
    "overgedragen_tweede_lijn": 8, "overgedragen_veiligheid": 3, "wmo_maatwerkvoorziening": 7, "verhuisd": 6,
    "client_gestopt": 8, "overleden": 2, "overig": 5,
}

# Household compositions: (kind, weight). gezin ~45%, ouderen ~20%, overig ~35%.
COMPOSITIONS = (
    ("two_parents", 28), ("single_parent", 17), ("senior_single", 12), ("senior_couple", 8),
    ("single", 22), ("couple", 8), ("shared", 5),
)

# Older residents get the names of their generation, which Faker's modern lists lack.
TRADITIONAL_FEMALE = ("Johanna", "Geertruida", "Aaltje", "Grietje", "Hendrika", "Wilhelmina", "Jantje", "Trijntje",
                      "Anna", "Elisabeth", "Cornelia", "Roelfien", "Geesje", "Hillegien", "Willemina")
TRADITIONAL_MALE = ("Jan", "Hendrik", "Klaas", "Roelof", "Harm", "Jacob", "Pieter", "Berend", "Albert", "Geert",
                    "Egbert", "Luitje", "Derk", "Willem", "Freerk")

_PREFIX_RE = re.compile(r"^(van der|van den|van de|van 't|in 't|op de|uit de|in de|van|de|den|der|ter|te|'t) (\S+)$")
_PLAIN_SURNAME_RE = re.compile(r"^[A-Z][a-zà-ÿ]+(-[A-Z][a-zà-ÿ]+)?$")


# --- The plan (pure data) ---------------------------------------------------------------------

@dataclass
class StaffPlan:
    username: str
    first_name: str
    last_name: str
    role: str
    team: int | None
    fte: str
    discipline: str
    organisation: int


@dataclass
class PersonPlan:
    first_name: str
    name_prefix: str
    last_name: str
    date_of_birth: dt.date
    bsn: str | None
    role: str
    living_at_home: bool = True
    left_on: dt.date | None = None  # membership ended (valid_to)


@dataclass
class AssignmentPlan:
    staff: int  # index into the staff plan
    started_on: dt.date
    ended_on: dt.date | None
    reason: str
    assigned_by: int


@dataclass
class CasePlan:
    melding_date: dt.date
    source: str
    status: str
    assignments: list[AssignmentPlan]
    first_contact_date: dt.date | None = None
    closed_on: dt.date | None = None
    closure_reason: str | None = None
    safety_flag: bool = False
    reopens_previous: bool = False

    @property
    def regisseur(self) -> int:
        return self.assignments[-1].staff


@dataclass
class HouseholdPlan:
    team: int
    postcode: str
    house_number: int
    addition: str
    street: str
    city: str
    wijk: str
    members: list[PersonPlan]
    cases: list[CasePlan] = field(default_factory=list)  # oldest first; only the last may be open


def _weighted(rng: random.Random, weights: dict[str, int] | tuple) -> str:
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _username(role: str, number: int) -> str:
    base = {"sociaal_werker": "sociaalwerker", "teamleider": "teamleider", "gemeente": "gemeente",
            "beheerder": "beheerder", "privacy": "privacy"}[role]
    return base if number == 1 else f"{base}{number}"


class _Names:
    """Dutch names from Faker nl_NL, split into tussenvoegsel and surname."""

    def __init__(self, seed: int):
        from faker import Faker

        self.fake = Faker("nl_NL")
        self.fake.seed_instance(seed)

    def surname(self) -> tuple[str, str]:
        while True:
            raw = self.fake.last_name()
            match = _PREFIX_RE.match(raw)
            if match and _PLAIN_SURNAME_RE.match(match.group(2)):
                return match.group(1), match.group(2)
            if _PLAIN_SURNAME_RE.match(raw):
                return "", raw

    def first(self, female: bool, born: dt.date, rng: random.Random) -> str:
        if born.year < 1960:
            return rng.choice(TRADITIONAL_FEMALE if female else TRADITIONAL_MALE)
        return self.fake.first_name_female() if female else self.fake.first_name_male()


def plan_staff(scale: Scale, seed: int) -> list[StaffPlan]:
    """Staff per team (one teamleider, N sociaal werkers), then gemeente and beheerder users.

    Usernames are fixed by role and number (sociaalwerker, sociaalwerker2, ..., teamleider,
    teamleider2, gemeente, beheerder) so the demo logins are the same for every seed.
    """
    rng = random.Random(f"staff-{seed}")
    names = _Names(seed)
    born = dt.date(1980, 1, 1)
    staff: list[StaffPlan] = []
    numbers: Counter = Counter()

    def add(role: str, team: int | None, discipline: str, organisation: int, fte: str) -> None:
        numbers[role] += 1
        prefix, surname = names.surname()
        staff.append(StaffPlan(
            username=_username(role, numbers[role]),
            first_name=names.first(rng.random() < 0.7, born, rng),
            last_name=f"{prefix} {surname}".strip(),
            role=role, team=team, fte=fte, discipline=discipline, organisation=organisation,
        ))

    for team_index, _team in enumerate(scale.teams):
        add(Role.TEAM_LEADER, team_index, "Teamleiding", MUNICIPALITY_ORG, "1.00")
        for _ in range(scale.workers_per_team):
            discipline, organisation = rng.choice(DISCIPLINES)
            add(Role.SOCIAL_WORKER, team_index, discipline, organisation, rng.choice(("0.67", "0.78", "0.89", "1.00")))
    for _ in range(scale.municipality_users):
        add(Role.MUNICIPALITY, None, "Beleid en onderzoek", MUNICIPALITY_ORG, "1.00")
    for _ in range(scale.administrators):
        add(Role.ADMINISTRATOR, None, "Functioneel beheer", MUNICIPALITY_ORG, "0.50")
    add(Role.PRIVACY_OFFICER, None, "Privacy officer (inzageverzoeken)", MUNICIPALITY_ORG, "0.20")
    return staff


class _BsnPool:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            bsn = complete_bsn(str(self.rng.randint(100_000_000, 799_999_999))[:8])
            if bsn and bsn not in self.used:
                self.used.add(bsn)
                return bsn


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _birth(rng: random.Random, today: dt.date, min_age: int, max_age: int) -> dt.date:
    """A birth date giving an age in [min_age, max_age] today."""
    earliest = _years_ago(today, max_age + 1) + dt.timedelta(days=1)
    latest = _years_ago(today, min_age)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def _members(kind: str, rng: random.Random, names: _Names, bsns: _BsnPool, today: dt.date) -> list[PersonPlan]:
    def person(role: str, min_age: int, max_age: int, surname: tuple[str, str] | None = None,
               female: bool | None = None, **extra) -> PersonPlan:
        born = _birth(rng, today, min_age, max_age)
        prefix, last = surname or names.surname()
        is_female = rng.random() < 0.5 if female is None else female
        has_bsn = rng.random() < 0.93
        return PersonPlan(first_name=names.first(is_female, born, rng), name_prefix=prefix, last_name=last,
                          date_of_birth=born, bsn=bsns.next() if has_bsn else None, role=role, **extra)

    def age(p: PersonPlan) -> int:
        return today.year - p.date_of_birth.year - ((today.month, today.day) < (p.date_of_birth.month,
                                                                             p.date_of_birth.day))

    def children(parent: PersonPlan, family: tuple[str, str], count: int) -> list[PersonPlan]:
        oldest = min(age(parent) - 19, 24)
        kids = []
        for _ in range(count):
            kid_age = rng.randint(0, max(0, oldest))
            # Most children live at home; an older child may have moved out but still belongs to the family.
            at_home = kid_age < 18 or rng.random() < 0.6
            kids.append(person(MemberRole.CHILD, kid_age, kid_age, family, living_at_home=at_home))
        return kids

    if kind == "two_parents":
        family = names.surname()
        first = person(MemberRole.PARENT, 27, 56, family)
        second = person(MemberRole.PARTNER, 27, 56)
        return [first, second, *children(first, family, rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))]
    if kind == "single_parent":
        family = names.surname()
        parent = person(MemberRole.PARENT, 22, 55, family, female=rng.random() < 0.82)
        members = [parent, *children(parent, family, rng.choice((1, 1, 2, 2, 3)))]
        if rng.random() < 0.25:
            # A partner who moved out: the membership has ended, the person stays known.
            left = today - dt.timedelta(days=rng.randint(30, 700))
            members.append(person(MemberRole.PARTNER, 25, 58, living_at_home=False, left_on=left))
        return members
    if kind == "senior_single":
        return [person(MemberRole.OTHER, 66, 94, female=rng.random() < 0.65)]
    if kind == "senior_couple":
        family = names.surname()
        return [person(MemberRole.PARTNER, 66, 90, family, female=False), person(MemberRole.PARTNER, 65, 88, family,
                                                                                   female=True)]
    if kind == "single":
        return [person(MemberRole.OTHER, 19, 63)]
    if kind == "couple":
        return [person(MemberRole.PARTNER, 20, 63), person(MemberRole.PARTNER, 20, 63)]
    # shared: an adult child caring for an elderly parent, or two housemates
    if rng.random() < 0.5:
        family = names.surname()
        return [person(MemberRole.OTHER, 45, 64, family), person(MemberRole.OTHER, 78, 95, family)]
    return [person(MemberRole.OTHER, 19, 35), person(MemberRole.OTHER, 19, 35)]


STREET_CAPACITY = 120  # households per street before generated streets are added (large scales)


def _addresses(team: TeamSpec, count: int, rng: random.Random, names: _Names) -> Iterator[tuple[str, str, int, str]]:
    """(postcode, street, house number, addition), unique within the team's area."""
    street_names = {area: list(streets) for area, streets in team.streets.items()}
    known = {name for streets in street_names.values() for name in streets}
    areas = team.postcode_areas
    while sum(len(v) for v in street_names.values()) * STREET_CAPACITY < count:
        name = names.fake.street_name()
        if name not in known:
            known.add(name)
            street_names[areas[len(known) % len(areas)]].append(name)
    streets: list[tuple[str, str, list[str]]] = []
    used_pairs: set[str] = set()
    for area in areas:
        for street in street_names[area]:
            suffixes: list[str] = []
            while len(suffixes) < 4:
                pair = rng.choice(_POSTCODE_LETTERS) + rng.choice(_POSTCODE_LETTERS)
                if pair not in _FORBIDDEN_PAIRS and f"{area}{pair}" not in used_pairs:
                    used_pairs.add(f"{area}{pair}")
                    suffixes.append(pair)
            streets.append((area, street, sorted(suffixes)))
    max_number = max(60, 2 * count // len(streets) + 20)
    taken: set[tuple[str, int, str]] = set()
    while count:
        area, street, suffixes = rng.choice(streets)
        number = rng.randint(1, max_number)
        addition = rng.choice(("A", "B", "C", "bis")) if rng.random() < 0.12 else ""
        if (street, number, addition) in taken:
            continue
        taken.add((street, number, addition))
        # A postcode covers one stretch of a street: consecutive house numbers share it.
        suffix = suffixes[(number - 1) * len(suffixes) // max_number]
        yield f"{area}{suffix}", street, number, addition
        count -= 1


class _CasePlanner:
    def __init__(self, rng: random.Random, staff: list[StaffPlan], today: dt.date, scale: Scale):
        self.rng = rng
        self.today = today
        self.scale = scale
        self.window = settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
        self.workers: dict[int, list[int]] = {}
        self.leaders: dict[int, int] = {}
        for index, member in enumerate(staff):
            if member.role == Role.SOCIAL_WORKER:
                self.workers.setdefault(member.team, []).append(index)
            elif member.role == Role.TEAM_LEADER:
                self.leaders.setdefault(member.team, index)
        self.case_number = 0

    def _source(self) -> str:
        # The first cases walk the whole code list once so that every source occurs.
        codes = list(SOURCE_WEIGHTS)
        self.case_number += 1
        if self.case_number <= len(codes):
            return codes[self.case_number - 1]
        return _weighted(self.rng, SOURCE_WEIGHTS)

    def _reason(self) -> str:
        return _weighted(self.rng, CLOSURE_WEIGHTS)

    def _director(self, team: int, exclude: int | None = None) -> int:
        choices = [w for w in self.workers[team] if w != exclude]
        if self.rng.random() < 0.05 and self.leaders[team] != exclude:
            return self.leaders[team]
        return self.rng.choice(choices)

    def _assignments(self, team: int, start: dt.date, end: dt.date | None) -> list[AssignmentPlan]:
        rng = self.rng
        first = self._director(team)
        last_day = end or self.today
        if (last_day - start).days >= 10 and rng.random() < 0.18:
            moment = start + dt.timedelta(days=rng.randint(5, (last_day - start).days - 1))
            second = self._director(team, exclude=first)
            return [
                AssignmentPlan(first, start, moment, "Eerste toewijzing", first),
                AssignmentPlan(second, moment, end, rng.choice(TRANSFER_REASONS), self.leaders[team]),
            ]
        return [AssignmentPlan(first, start, end, "Eerste toewijzing", first)]

    def _closed(self, team: int, melding: dt.date, latest_close: dt.date) -> CasePlan:
        rng = self.rng
        span = (latest_close - melding).days
        if span < 8 or rng.random() < 0.1:
            # A simple melding closed at once, without a first contact.
            closed = melding + dt.timedelta(days=rng.randint(0, min(7, max(0, span))))
            contact = None
        else:
            contact = melding + dt.timedelta(days=rng.randint(1, min(21, span - 1)))
            closed = contact + dt.timedelta(days=rng.randint(1, max(1, (latest_close - contact).days)))
            closed = min(closed, latest_close)
        return CasePlan(
            melding_date=melding, source=self._source(), status=CaseStatus.CLOSED,
            assignments=self._assignments(team, melding, closed), first_contact_date=contact, closed_on=closed,
            closure_reason=self._reason(), safety_flag=rng.random() < 0.05,
        )

    def cases(self, team: int) -> list[CasePlan]:
        """The household's cases, oldest first: sometimes a closed earlier case, then the current one."""
        rng, today = self.rng, self.today
        status = _weighted(rng, ((CaseStatus.REGISTERED, 22), (CaseStatus.IN_PROGRESS, 45), (CaseStatus.CLOSED, 33)))
        if status == CaseStatus.REGISTERED:
            melding = today - dt.timedelta(days=rng.randint(0, 24))
            current = CasePlan(melding_date=melding, source=self._source(), status=status,
                               assignments=self._assignments(team, melding, None), safety_flag=rng.random() < 0.05)
        elif status == CaseStatus.IN_PROGRESS:
            age = rng.randint(3, min(540, self.scale.history_days))
            melding = today - dt.timedelta(days=age)
            contact = melding + dt.timedelta(days=rng.randint(0, min(28, age)))
            current = CasePlan(melding_date=melding, source=self._source(), status=status,
                               assignments=self._assignments(team, melding, None), first_contact_date=contact,
                               safety_flag=rng.random() < 0.05)
        else:
            melding = today - dt.timedelta(days=rng.randint(20, self.scale.history_days))
            current = self._closed(team, melding, today)
        cases = [current]
        if rng.random() < 0.2:
            # An earlier case: closed some time before the current melding. Within the reopening
            # window the current case is its reopening, exactly as register_melding links it.
            gap = rng.randint(10, 520)
            closed_by = current.melding_date - dt.timedelta(days=gap)
            melding = closed_by - dt.timedelta(days=rng.randint(10, 420))
            earlier = self._closed(team, melding, closed_by)
            current.reopens_previous = (current.melding_date - earlier.closed_on).days <= self.window
            cases.insert(0, earlier)
        return cases


def plan_households(scale: Scale, staff: list[StaffPlan], seed: int, today: dt.date) -> Iterator[HouseholdPlan]:
    """Households of every team with members and cases; deterministic for (scale, seed, today)."""
    rng = random.Random(f"households-{seed}")
    names = _Names(seed + 1)
    bsns = _BsnPool(random.Random(f"bsn-{seed}"))
    planner = _CasePlanner(rng, staff, today, scale)
    addresses = [list(_addresses(team, scale.households_per_team, rng, names)) for team in scale.teams]
    # Interleave the teams so that both get early (code-list-covering) cases.
    for position in range(scale.households_per_team):
        for team_index, team in enumerate(scale.teams):
            postcode, street, number, addition = addresses[team_index][position]
            kind = _weighted(rng, COMPOSITIONS)
            household = HouseholdPlan(
                team=team_index, postcode=postcode, house_number=number, addition=addition, street=street,
                city=team.municipality, wijk=team.wijk, members=_members(kind, rng, names, bsns, today),
            )
            household.cases = planner.cases(team_index)
            first_melding = household.cases[0].melding_date
            for member in household.members:
                if member.left_on is not None and member.left_on < first_melding:
                    member.left_on = first_melding + dt.timedelta(days=(today - first_melding).days // 2)
            yield household
