"""Demo data: fictitious teams, staff, households and cases (`python manage.py seed_demo`).

Two phases, so that generation stays fast and testable as the scales grow:

1. *plan*: pure Python. `plan_staff` and `plan_households` turn a Scale and a seed into plain
   dataclasses (no database). Same scale, seed and day in, the same plan out.
2. *write*: `seed` converts the plan to model rows and inserts them with bulk_create, in chunks
   of households, inside one transaction.

The writer bypasses the services for speed but inserts every row already in its final state,
so every invariant the services and the database guard still holds: at most one open case per
household; an open case has a director of its own team; a closed case has closed_on and a
reason; first contact and closing are not before the melding; a case closed within the
reopening window before a new melding is linked as `reopened_from`; director history without
gaps; timeline events and audit rows as the services would write them.

All names, addresses and BSNs are generated (Faker nl_NL, elfproef-valid BSNs). The data are
for demonstrations only; so is the shared demo password.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import reset_queries, transaction
from django.utils import timezone

from common import audit as audit_log
from common.models import AuditAction, AuditEvent
from common.validators import complete_bsn

from .models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    MeldingSource,
    MemberRole,
    Organisation,
    Person,
    Role,
    StaffMembership,
    Team,
)

DEMO_PASSWORD = "wijkregie-demo"
# Demo accounts carry an address in a reserved example domain; `demo_logins` lists exactly these.
DEMO_EMAIL_DOMAIN = "demo.wijkregie.example"
DEFAULT_SEED = 20261122
DEMO_URL = "http://127.0.0.1:8000/"
AUDIT_CLIENT = "seed_demo"
AUDIT_PURPOSE = "demogegevens aanmaken"
BATCH_SIZE = 1000
HOUSEHOLD_CHUNK = 2000

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
    "demo": Scale(name="demo", teams=GRONINGEN_TEAMS, workers_per_team=6, households_per_team=100),
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


# --- Writing ----------------------------------------------------------------------------------

class DemoDataExists(Exception):
    """The database already holds data; demo data are only loaded into an empty database."""


def has_data(scale: Scale | None = None) -> bool:
    """True when the database already holds organisation, team, staff, household or case rows,
    or a user with one of the demo usernames."""
    scale = scale or SCALES["demo"]
    if any(model.objects.exists() for model in (Organisation, Team, StaffMembership, Household, Person, Case)):
        return True
    usernames = [member.username for member in plan_staff(scale, DEFAULT_SEED)]
    return get_user_model().objects.filter(username__in=usernames).exists()


def demo_users():
    """Staff memberships of the demo accounts, in role order, for `demo_logins`."""
    order = {Role.SOCIAL_WORKER: 0, Role.TEAM_LEADER: 1, Role.MUNICIPALITY: 2, Role.ADMINISTRATOR: 3,
             Role.PRIVACY_OFFICER: 4}
    rows = list(
        StaffMembership.objects.filter(user__email__iendswith=f"@{DEMO_EMAIL_DOMAIN}", user__is_active=True)
        .select_related("user", "team")
    )
    return sorted(rows, key=lambda m: (order.get(m.role, 9), m.team.name if m.team else "", len(m.user.username),
                                       m.user.username))


def _staff_label(member: StaffPlan) -> str:
    # Mirrors str(StaffMembership), which the services write into the timeline.
    return f"{member.first_name} {member.last_name} ({Role(member.role).label})"


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Summary:
    scale: str
    seed: int
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def line(self) -> str:
        c = self.counts
        return (
            f"Demodata geladen (schaal {self.scale}, seed {self.seed}): {c['teams']} teams, {c['staff']} medewerkers, "
            f"{c['households']} huishoudens, {c['persons']} personen, {c['cases']} casussen "
            f"(aangemeld {c[CaseStatus.REGISTERED]}, in behandeling {c[CaseStatus.IN_PROGRESS]}, "
            f"afgesloten {c[CaseStatus.CLOSED]}; {c['reopened']} heropend, {c['transfers']} overdrachten), "
            f"{c['events']} tijdlijnregels in {self.seconds:.1f} s."
        )


def seed(scale_name: str = "demo", seed: int = DEFAULT_SEED, today: dt.date | None = None) -> Summary:
    """Load the demo data set into an empty database, in one transaction. Raises DemoDataExists."""
    started = time.monotonic()
    scale = SCALES[scale_name]
    today = today or timezone.localdate()
    summary = Summary(scale=scale_name, seed=seed)
    with transaction.atomic():
        if has_data(scale):
            raise DemoDataExists("De database bevat al gegevens.")
        staff_plan = plan_staff(scale, seed)
        sources = {s.code: s for s in MeldingSource.objects.all()}
        reasons = {r.code: r for r in ClosureReason.objects.all()}

        organisations = Organisation.objects.bulk_create([Organisation(name=name) for name in ORGANISATIONS])
        teams = Team.objects.bulk_create([
            Team(name=t.name, municipality=t.municipality, postcode_areas=t.postcode_areas) for t in scale.teams
        ])
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
        User = get_user_model()
        users = User.objects.bulk_create([
            User(username=m.username, first_name=m.first_name, last_name=m.last_name, password=password,
                 email=f"{m.username}@{DEMO_EMAIL_DOMAIN}", is_staff=m.role == Role.ADMINISTRATOR)
            for m in staff_plan
        ], batch_size=BATCH_SIZE)
        memberships = StaffMembership.objects.bulk_create([
            StaffMembership(user=user, team=teams[m.team] if m.team is not None else None, role=m.role, fte=m.fte,
                            discipline=m.discipline, home_organisation=organisations[m.organisation])
            for user, m in zip(users, staff_plan)
        ], batch_size=BATCH_SIZE)
        summary.counts.update(teams=len(teams), staff=len(memberships))

        labels = [_staff_label(m) for m in staff_plan]
        writer = _HouseholdWriter(teams, memberships, users, labels, sources, reasons, summary.counts)
        for chunk in _chunks(plan_households(scale, staff_plan, seed, today), HOUSEHOLD_CHUNK):
            writer.write(chunk)
            reset_queries()  # with DEBUG on, Django would keep every bulk INSERT in memory
    summary.seconds = time.monotonic() - started
    return summary


class _HouseholdWriter:
    def __init__(self, teams, memberships, users, labels, sources, reasons, counts: Counter):
        self.teams, self.memberships, self.users, self.labels = teams, memberships, users, labels
        self.sources, self.reasons, self.counts = sources, reasons, counts

    def _audit(self, object_type: str, object_id: int, *, person_id=None, case_id=None) -> AuditEvent:
        return AuditEvent(user=None, client=AUDIT_CLIENT, action=AuditAction.CREATE, object_type=object_type,
                          object_id=str(object_id), person_id=person_id, case_id=case_id, purpose=AUDIT_PURPOSE)

    def write(self, plans: list[HouseholdPlan]) -> None:
        households = Household.objects.bulk_create([
            Household(postcode=p.postcode, house_number=p.house_number, house_number_addition=p.addition,
                      street=p.street, city=p.city, wijk=p.wijk)
            for p in plans
        ], batch_size=BATCH_SIZE)
        person_rows = [(h, member) for h, p in zip(households, plans) for member in p.members]
        persons = Person.objects.bulk_create([
            Person(bsn=m.bsn, first_name=m.first_name, name_prefix=m.name_prefix, last_name=m.last_name,
                   date_of_birth=m.date_of_birth)
            for _, m in person_rows
        ], batch_size=BATCH_SIZE)
        first_melding = {h.pk: p.cases[0].melding_date for h, p in zip(households, plans)}
        HouseholdMembership.objects.bulk_create([
            HouseholdMembership(
                household=h, person=person, role=m.role, living_at_home=m.living_at_home,
                valid_from=max(first_melding[h.pk], m.date_of_birth),
                valid_to=max(m.left_on, max(first_melding[h.pk], m.date_of_birth)) if m.left_on else None,
            )
            for (h, m), person in zip(person_rows, persons)
        ], batch_size=BATCH_SIZE)

        # Cases go in by position (all first cases, then all second ones), so a reopening can
        # point at the case it reopens.
        case_rows: list[tuple[Case, CasePlan]] = []
        previous: dict[int, Case] = {}
        depth = max(len(p.cases) for p in plans)
        for position in range(depth):
            batch = []
            for household, plan in zip(households, plans):
                if position >= len(plan.cases):
                    continue
                c = plan.cases[position]
                reopened_from = previous.get(household.pk) if c.reopens_previous else None
                batch.append((Case(
                    household=household, team=self.teams[plan.team], melding_date=c.melding_date,
                    melding_source=self.sources[c.source], status=c.status,
                    regisseur=self.memberships[c.regisseur], first_contact_date=c.first_contact_date,
                    closed_on=c.closed_on, closure_reason=self.reasons[c.closure_reason] if c.closure_reason else None,
                    safety_flag=c.safety_flag, reopened_from=reopened_from,
                ), c))
            Case.objects.bulk_create([case for case, _ in batch], batch_size=BATCH_SIZE)
            for case, _ in batch:
                previous[case.household_id] = case
            case_rows.extend(batch)

        assignments, events = [], []
        for case, plan in case_rows:
            events.extend(self._events(case, plan))
            for a in plan.assignments:
                assignments.append(DirectorAssignment(
                    case=case, regisseur=self.memberships[a.staff], started_on=a.started_on, ended_on=a.ended_on,
                    reason=a.reason, assigned_by=self.users[a.assigned_by],
                ))
        DirectorAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
        CaseEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)

        audit = [self._audit("household", h.pk) for h in households]
        case_of_household = {case.household_id: case for case, _ in case_rows}  # the latest case
        audit += [self._audit("person", person.pk, person_id=person.pk, case_id=case_of_household[h.pk].pk)
                  for (h, _), person in zip(person_rows, persons)]
        audit += [self._audit("case", case.pk, case_id=case.pk) for case, _ in case_rows]
        audit_log.append(audit, batch_size=BATCH_SIZE)

        counts = self.counts
        counts.update(households=len(households), persons=len(persons), cases=len(case_rows), events=len(events))
        counts.update(case.status for case, _ in case_rows)
        counts.update(reopened=sum(1 for case, _ in case_rows if case.reopened_from_id),
                      transfers=sum(len(plan.assignments) - 1 for _, plan in case_rows))

    def _events(self, case: Case, plan: CasePlan) -> list[CaseEvent]:
        """The timeline as the services write it, oldest first."""
        first = plan.assignments[0]

        def event(kind, on, actor_index, description=""):
            return CaseEvent(case=case, kind=kind, occurred_on=on, description=description[:500],
                             actor=self.users[actor_index])

        def director_on(day: dt.date) -> int:
            current = first.staff
            for a in plan.assignments:
                if a.started_on <= day:
                    current = a.staff
            return current

        rows = []
        if case.reopened_from is not None:
            old = case.reopened_from
            days = (case.melding_date - old.closed_on).days
            rows.append(event(CaseEventKind.REOPENED, case.melding_date, first.assigned_by,
                              f"Heropend {days} dagen na afsluiting (reden toen: {old.closure_reason.label})"))
        rows.append(event(CaseEventKind.MELDING, case.melding_date, first.assigned_by,
                          f"Bron: {case.melding_source.label}"))
        rows.append(event(CaseEventKind.DIRECTOR, case.melding_date, first.assigned_by,
                          f"Regisseur: {self.labels[first.staff]}"))
        timeline = []
        if plan.first_contact_date:
            timeline.append((plan.first_contact_date, 0, event(CaseEventKind.FIRST_CONTACT, plan.first_contact_date,
                                                                director_on(plan.first_contact_date))))
        for a in plan.assignments[1:]:
            timeline.append((a.started_on, 1, event(CaseEventKind.TRANSFER, a.started_on, a.assigned_by,
                                                     f"Naar {self.labels[a.staff]}: {a.reason}")))
        if plan.closed_on:
            timeline.append((plan.closed_on, 2, event(CaseEventKind.CLOSED, plan.closed_on, director_on(plan.closed_on),
                                                       f"Reden: {case.closure_reason.label}")))
        rows.extend(row for _, _, row in sorted(timeline, key=lambda item: (item[0], item[1])))
        return rows
