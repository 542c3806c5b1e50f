"""Demo data at municipal scale, loaded into PostgreSQL with COPY (`seed_demo --scale leeuwarden`).

Scales (SCALES): `leeuwarden` is Leeuwarden 2019 (DOMAIN.md §6: 8 teams, about 105 fte, ~7,800
cases a year) over 5 years: 40,000 cases, about 85,000 persons, 250,000 ZRM measurements (ZRM
2013 before 2023, ZRM 2017 after, so trajectories cross versions), 200,000 interventions, plans
with goals, escalations and the case timelines. `amsterdam` is ten times that (80 teams);
`tiny` and `demo` are smaller cuts for tests and smoke runs. The progress benchmark
(tests/bench) loads the same data.

What makes it realistic: household compositions (gezin, ouderen, overig) with ages that fit,
departed partners and children who moved out; Dutch names with tussenvoegsels and elfproef
BSNs (encrypted as the app stores them); unique addresses with valid postcodes per team area,
and wijken that cross team borders; meldingen spread over the years with weighted sources;
cases in every status, transfers, reopenings within the window, closures whose reason follows
how the case went; ZRM scores per person that improve for some, stay for others and worsen for
a few; plans, goals, interventions and escalations.

Staff follow the demo accounts' convention (cases/demo.py): usernames sociaalwerker, sociaalwerker2,
..., teamleider, teamleider2, ..., gemeente, beheerder and privacy, an address in the demo e-mail
domain and the shared demo password, so `manage.py demo_logins` lists them.

How it is fast: households are generated in chunks in pure Python, in a thread that works on the
next chunk while PostgreSQL stores the previous one, and each chunk goes in with `COPY ... FROM
STDIN` (text format, explicit ids) inside ONE transaction, so a failure leaves the database empty.
With session_replication_role = replica (superuser) no per-row trigger or foreign-key check runs:
the generator writes consistent rows itself and the unique indexes still hold. Without that
privilege the triggers run; scores go in before their measurement so the immutability trigger lets
them pass, and the deferred foreign keys are checked at the commit.
Columns not set here get their model default, so fields added later do not break the seed.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from common import audit as audit_log
from common.models import AuditAction, AuditEvent
from common.validators import complete_bsn
from zrm.derived import derive
from zrm.models import Domain, InstrumentVersion, Measurement, Score

from . import demo
from .crypto import bsn_lookup_hash, encrypt_bsn
from .models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    DirectorAssignment,
    Escalation,
    Goal,
    Household,
    HouseholdMembership,
    Intervention,
    InterventionType,
    MeldingSource,
    MemberRole,
    Organisation,
    Person,
    Plan,
    Role,
    StaffMembership,
    Team,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BulkScale:
    name: str
    teams: int
    workers_per_team: int
    cases: int
    persons: int  # what the household compositions give, roughly: documentation and tests
    measurements: int
    interventions: int
    years: int = 5
    municipality: str = "Leeuwarden"


SCALES = {
    "tiny": BulkScale("tiny", 2, 4, 400, 850, 2_500, 2_000),
    "demo": BulkScale("demo", 4, 8, 4_000, 8_500, 25_000, 20_000),
    "leeuwarden": BulkScale("leeuwarden", 8, 13, 40_000, 85_000, 250_000, 200_000),
    "amsterdam": BulkScale("amsterdam", 80, 13, 400_000, 850_000, 2_500_000, 2_000_000, municipality="Amsterdam"),
}
# The scales `seed_demo --scale` offers besides the small hand-built `demo` set of cases/demo.py.
COMMAND_SCALES = ("tiny", "leeuwarden", "amsterdam")

HOUSEHOLDS_PER_CASE = 1 / 1.16  # some households have a second (reopened or later) case
CHUNK_HOUSEHOLDS = 2000  # small enough that generating the next chunk overlaps with storing this one
VERSION_SWITCH = dt.date(2023, 1, 1)  # ZRM 2017 replaced ZRM 2013 on this day in the generated history
AUDIT_CLIENT = "seed_demo"


# 13 workers: 7 full-time, 5 at 0.89 and 1 at 0.67 -> 12.12 fte; with the team leader about 13.1 per team,
# so 8 teams make Leeuwarden's ~105 fte.
WORKER_FTE = ("1.00", "0.89", "1.00", "0.89", "1.00", "0.67", "1.00", "0.89", "1.00", "0.89", "1.00", "0.89", "1.00")
KINDS = (("two_parents", 28), ("single_parent", 17), ("senior_single", 12), ("senior_couple", 8), ("single", 22),
         ("couple", 8), ("shared", 5))
SCORE_WEIGHTS = (5, 15, 30, 30, 20)  # ZRM 1..5 at the nulmeting
TREND_WEIGHTS = ((1, 45), (0, 35), (-1, 20))  # improves, stays, worsens
# How a case ended follows how it went.
CLOSURE_BY_TREND = {
    1: {"doelen_behaald": 45, "redt_het_zelf": 22, "overgedragen_nulde_lijn": 8, "overgedragen_eerste_lijn": 8,
        "wmo_maatwerkvoorziening": 6, "verhuisd": 5, "client_gestopt": 3, "overleden": 1, "overig": 2},
    0: {"doelen_behaald": 18, "redt_het_zelf": 12, "overgedragen_nulde_lijn": 6, "overgedragen_eerste_lijn": 14,
        "overgedragen_tweede_lijn": 10, "wmo_maatwerkvoorziening": 10, "verhuisd": 8, "client_gestopt": 12,
        "overleden": 3, "overig": 7},
    -1: {"doelen_behaald": 3, "overgedragen_eerste_lijn": 12, "overgedragen_tweede_lijn": 30,
         "overgedragen_veiligheid": 14, "wmo_maatwerkvoorziening": 8, "verhuisd": 6, "client_gestopt": 16,
         "overleden": 5, "overig": 6},
}
GOAL_TEXTS = (
    "Stabiel en zelfstandig op het domein {domain}",
    "Hulp bij {domain} is geregeld en loopt",
    "Weer grip op {domain}",
    "Met steun uit het eigen netwerk verder op {domain}",
)
# 2013 domains whose 2017 successors were split: the 2013 score is the lower of the two.
MAP_2013 = {"dagbesteding": ("werk_opleiding", "tijdsbesteding"), "adl": ("basale_adl", "instrumentele_adl"),
            "verslaving": ("middelengebruik",)}

# Leeuwarden: (team, {postcode area: wijk}, a few streets). Neighbouring teams share a wijk, as
# team areas and wijk borders do not coincide in practice.
LEEUWARDEN_TEAMS = (
    ("Wijkteam Binnenstad", {"8911": "Binnenstad", "8912": "Oud-Oost"}, ("Nieuwestad", "Tweebaksmarkt", "Zaailand")),
    ("Wijkteam Oost", {"8913": "Oud-Oost", "8914": "Vrijheidswijk"}, ("Oostersingel", "Cambuursterweg")),
    ("Wijkteam Heechterp-Schieringen", {"8915": "Heechterp-Schieringen", "8916": "Camminghaburen"},
     ("Heechterp", "Schieringen")),
    ("Wijkteam Camminghaburen", {"8917": "Camminghaburen", "8918": "Bilgaard"}, ("Valeriusstraat",)),
    ("Wijkteam Noord", {"8921": "Bilgaard", "8922": "Westeinde"}, ("Bilgaardpark",)),
    ("Wijkteam West", {"8923": "Westeinde", "8924": "Wielenpôlle"}, ("Westersingel",)),
    ("Wijkteam Zuid", {"8925": "Huizum", "8926": "Nijlân"}, ("Schrans",)),
    ("Wijkteam Zuiderburen", {"8931": "Nijlân", "8932": "Zuiderburen"}, ()),
)
AMSTERDAM_DISTRICTS = (("Centrum", 8), ("West", 12), ("Nieuw-West", 16), ("Zuid", 12), ("Oost", 12), ("Noord", 10),
                       ("Zuidoost", 10))


@dataclass(frozen=True)
class _TeamArea:
    spec: demo.TeamSpec
    wijken: dict[str, str]  # postcode area -> wijk


def _teams(scale: BulkScale) -> list[_TeamArea]:
    if scale.municipality == "Leeuwarden":
        if scale.teams > len(LEEUWARDEN_TEAMS):
            raise ValueError(f"Leeuwarden has {len(LEEUWARDEN_TEAMS)} teams in this generator")
        return [_TeamArea(demo.TeamSpec(name=name, municipality="Leeuwarden", wijk=next(iter(wijken.values())),
                                        streets={area: streets if i == 0 else () for i, area in enumerate(wijken)}),
                          wijken)
                for name, wijken, streets in LEEUWARDEN_TEAMS[:scale.teams]]
    teams, area = [], 1011
    for district, count in AMSTERDAM_DISTRICTS:
        for k in range(count):
            wijk = f"{district} gebied {k // 2 + 1}"  # two teams per gebied
            teams.append(_TeamArea(demo.TeamSpec(name=f"Buurtteam {district} {k + 1}", municipality="Amsterdam",
                                                 wijk=wijk, streets={str(area): ()}), {str(area): wijk}))
            area += 1
    if scale.teams > len(teams):
        raise ValueError(f"Amsterdam has {len(teams)} teams in this generator")
    return teams[:scale.teams]


def _organisations(municipality: str) -> list[str]:
    # Same positions as demo.ORGANISATIONS, so demo.DISCIPLINES and demo.MUNICIPALITY_ORG apply.
    region = "Fryslân" if municipality == "Leeuwarden" else municipality
    return [f"Welzijn {municipality}", f"Jeugdhulp {region}", f"GGZ {region}", f"Verslavingszorg {region}",
            f"Thuiszorg {municipality}", f"Gemeente {municipality}"]


def staff_plan(scale: BulkScale, seed_value: int) -> list[demo.StaffPlan]:
    """The staff, named as the demo accounts: per team a teamleider and its sociaal werkers, then
    gemeente, beheerder and privacy. Usernames depend only on the scale, never on the seed."""
    teams = _teams(scale)
    spec = demo.Scale(name=scale.name, teams=tuple(t.spec for t in teams), workers_per_team=scale.workers_per_team,
                      households_per_team=0)
    staff = demo.plan_staff(spec, seed_value)
    position: Counter = Counter()
    for member in staff:
        if member.role == Role.SOCIAL_WORKER:
            member.fte = WORKER_FTE[position[member.team] % len(WORKER_FTE)]
            position[member.team] += 1
    return staff


def has_data(scale: BulkScale) -> bool:
    """True when the database holds registration data or a user with a demo or bulk-demo username."""
    if demo.has_data():
        return True
    usernames = [m.username for m in staff_plan(scale, 0)]
    return get_user_model().objects.filter(username__in=usernames).exists()


# --- COPY in text format ---------------------------------------------------------------------

def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class _Formats(dict):
    """type -> COPY text formatter; a subclass (TextChoices members are str) resolves to its base once."""

    def __missing__(self, kind):
        for base in (bool, int, str, dt.datetime, dt.date, Decimal, float):
            if issubclass(kind, base):
                self[kind] = self[base]
                return self[base]
        raise TypeError(f"no COPY text format for {kind.__name__}")


_FORMAT = _Formats({
    int: str, str: _escape, type(None): lambda _: r"\N", bool: lambda b: "t" if b else "f",
    dt.date: dt.date.isoformat, dt.datetime: dt.datetime.isoformat, Decimal: str, float: repr,
})


def _defaults(model, given: list[str], now: dt.datetime) -> tuple[list[str], str]:
    """Columns not in `given` (except an auto id) and their model defaults, as the end of every line."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in given or (field.primary_key and field.attname == "id"):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif field.get_internal_type() in ("CharField", "TextField", "SlugField"):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value in the bulk demo data")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        columns.append(field.column)
        values.append(value)
    return columns, "".join("\t" + _FORMAT[type(v)](v) for v in values)


def _copy_data(model, given: list[str], rows: list[tuple], now: dt.datetime) -> tuple[str, str]:
    """(COPY statement, data in text format) for rows: tuples in the order of `given` (field attnames,
    ids included); the other columns get their defaults."""
    extra_columns, suffix = _defaults(model, given, now)
    columns = ["id" if name == "id" else model._meta.get_field(name).column for name in given] + extra_columns
    quoted = ", ".join(f'"{c}"' for c in columns)
    fmt = _FORMAT
    lines = ["\t".join([fmt[type(v)](v) for v in row]) + suffix for row in rows]
    lines.append("")
    return f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN', "\n".join(lines)


def _move_sequence(cursor, model) -> None:
    """After explicit ids: the identity continues past the highest id."""
    table = model._meta.db_table
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                   f"GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")


# --- Generation -------------------------------------------------------------------------------

def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _weights(rows, weights: dict[str, int], default: int = 1) -> tuple[list, list[int]]:
    """(pks, weights) for code-list rows [(pk, code)] with weights by code; equal weights when none match."""
    given = [weights.get(code, default) for _, code in rows]
    return [pk for pk, _ in rows], given if any(given) else [1] * len(rows)


class _Names:
    """Pools of Dutch names (Faker nl_NL through demo's splitter), drawn from per person."""

    def __init__(self, seed_value: int, rng: random.Random):
        names = demo._Names(seed_value)
        self.rng = rng
        self.surnames = [names.surname() for _ in range(1500)]
        self.female = sorted({names.fake.first_name_female() for _ in range(700)})
        self.male = sorted({names.fake.first_name_male() for _ in range(700)})

    def surname(self) -> tuple[str, str]:
        return self.rng.choice(self.surnames)

    def first(self, female: bool, born: dt.date) -> str:
        if born.year < 1960:
            return self.rng.choice(demo.TRADITIONAL_FEMALE if female else demo.TRADITIONAL_MALE)
        return self.rng.choice(self.female if female else self.male)


class _Generator:
    """Turns a scale into rows, a chunk of households at a time; ids are counted here."""

    def __init__(self, scale: BulkScale, today: dt.date, seed_value: int, refs: dict):
        self.scale, self.today, self.refs = scale, today, refs
        self.rng = random.Random(seed_value)
        self.names = _Names(seed_value + 1, self.rng)
        self.bsns: set[str] = set()
        self.ids: Counter = Counter()
        self.window = settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
        self.start = _add_months(today, -12 * scale.years)
        self.derived: dict[tuple, tuple] = {}
        self.now = timezone.now()

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # Households and persons

    def _birth(self, min_age: int, max_age: int) -> dt.date:
        today = self.today
        return today - dt.timedelta(days=self.rng.randint(min_age * 365 + 1, max_age * 365 + 364))

    def _bsn(self) -> tuple[str | None, str | None]:
        rng = self.rng
        if rng.random() >= 0.93:
            return None, None
        while True:  # 1xx-5xx million: numbers from 6xx million on stay free for tests that register people
            bsn = complete_bsn(str(rng.randint(10_000_000, 59_999_999)))
            if bsn and bsn not in self.bsns:
                self.bsns.add(bsn)
                return encrypt_bsn(bsn), bsn_lookup_hash(bsn)

    def _members(self, kind: str) -> list[tuple]:
        """(role, born, female, surname, living at home, left days ago or None), as cases/demo.py composes them."""
        rng = self.rng

        def member(role, low, high, surname=None, female=None, at_home=True, left=None):
            return (role, self._birth(low, high), rng.random() < 0.5 if female is None else female,
                    surname or self.names.surname(), at_home, left)

        def children(parent, family, count):
            oldest = min((self.today - parent[1]).days // 365 - 19, 24)
            kids = []
            for _ in range(count):
                age = rng.randint(0, max(0, oldest))
                kids.append(member(MemberRole.CHILD, age, age, family, at_home=age < 18 or rng.random() < 0.6))
            return kids

        if kind == "two_parents":
            family = self.names.surname()
            first = member(MemberRole.PARENT, 27, 56, family)
            return [first, member(MemberRole.PARTNER, 27, 56, female=not first[2]),
                    *children(first, family, rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))]
        if kind == "single_parent":
            family = self.names.surname()
            parent = member(MemberRole.PARENT, 22, 55, family, female=rng.random() < 0.82)
            members = [parent, *children(parent, family, rng.choice((1, 1, 2, 2, 3)))]
            if rng.random() < 0.25:  # a partner who moved out: the membership ended, the person stays known
                members.append(member(MemberRole.PARTNER, 25, 58, at_home=False, left=rng.randint(30, 700)))
            return members
        if kind == "senior_single":
            return [member(MemberRole.OTHER, 66, 94, female=rng.random() < 0.65)]
        if kind == "senior_couple":
            family = self.names.surname()
            return [member(MemberRole.PARTNER, 66, 90, family, female=False),
                    member(MemberRole.PARTNER, 65, 88, family, female=True)]
        if kind == "single":
            return [member(MemberRole.OTHER, 19, 63)]
        if kind == "couple":
            return [member(MemberRole.PARTNER, 20, 63), member(MemberRole.PARTNER, 20, 63)]
        if rng.random() < 0.5:  # shared: an adult child caring for an elderly parent, or two housemates
            family = self.names.surname()
            return [member(MemberRole.OTHER, 45, 64, family), member(MemberRole.OTHER, 78, 95, family)]
        return [member(MemberRole.OTHER, 19, 35), member(MemberRole.OTHER, 19, 35)]

    # Scores

    def _derive(self, version_pk: int, scores: tuple) -> tuple:
        key = (version_pk, scores)
        found = self.derived.get(key)
        if found is None:
            d = derive(list(zip(self.refs["clusters"][version_pk], scores)))
            found = self.derived[key] = (d.problem_domain_count, d.acute_domain_count, d.bucket,
                                         json.dumps(d.cluster_scores), d.household_category)
        return found

    def chunk(self, households: list[tuple]) -> dict[str, list]:
        """Rows of every table for these households: [(team index, address, wijk, newest of its team)]."""
        rng, today, refs = self.rng, self.today, self.refs
        scale = self.scale
        span = (today - self.start).days
        out: dict[str, list] = {name: [] for name in (
            "households", "persons", "memberships", "cases", "assignments", "events", "plans", "covered",
            "goals", "measurements", "scores", "interventions", "escalations")}
        trajectories = []
        n_cases_before = self.ids["case"]
        self.derived.clear()  # repeats are within a trajectory; a cache over all chunks would only grow

        for team_index, (postcode, street, number, addition), wijk, newest in households:
            team = refs["teams"][team_index]
            workers, leader = refs["workers"][team_index], refs["leaders"][team_index]
            household_id = self.next_id("household")
            out["households"].append((household_id, postcode, number, addition, street, team.municipality, wijk))
            kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
            members = self._members(kind)

            # Cases first: a person's membership starts at the household's first melding.
            melding = self.start + dt.timedelta(days=rng.randint(0, span - 3))
            if newest:  # each team's last household: a melding of the last days, first contact still to come
                melding = today - dt.timedelta(days=rng.randint(0, 3))
            first_melding = melding
            cases, previous = [], None
            if newest:
                cases.append(self._case(household_id, team, workers, leader, melding, None, waiting=True))
            while not newest and melding < today - dt.timedelta(days=1):
                cases.append(self._case(household_id, team, workers, leader, melding, previous))
                case = cases[-1]
                if not case["closed"] or rng.random() > 0.17:
                    break
                previous = case
                melding = case["closed"] + dt.timedelta(days=rng.randint(10, 400))

            at_home, measured, adults = [], [], []
            for role, born, female, (prefix, last), living, left in members:
                person_id = self.next_id("person")
                encrypted, lookup = self._bsn()
                out["persons"].append((person_id, encrypted, lookup, self.names.first(female, born), prefix, last,
                                       born))
                valid_from = max(first_melding, born)
                valid_to = None
                if left is not None:  # left after the first melding (else they would not be known here)
                    valid_to = today - dt.timedelta(days=left)
                    if valid_to <= valid_from:
                        valid_to = valid_from + (today - valid_from) // 2
                out["memberships"].append((self.next_id("membership"), household_id, person_id, role, living,
                                           valid_from, valid_to))
                if not living:  # a partner who left, an adult child living elsewhere
                    continue
                at_home.append(person_id)
                if role != MemberRole.CHILD:
                    adults.append(person_id)
                # ZRM for adults and for youth from an age between 12 and 15
                measured.append((person_id, born + dt.timedelta(days=int(365 * (12 + 3 * rng.random())))))

            for case in cases:
                out["cases"].append(case["row"])
                out["assignments"].extend(case["assignments"])
                out["events"].extend(case["events"])
                self._plan(case, at_home, adults or at_home, out)
                if case["contact"] and (case["end"] - case["contact"]).days > 14:
                    for person_id, from_age in measured:
                        if from_age <= case["melding"]:
                            trajectories.append((case, person_id))

        share = len(households) / max(1, int(scale.cases * HOUSEHOLDS_PER_CASE))
        self._measurements(trajectories, scale.measurements * share, out)
        self._interventions(out, self.ids["case"] - n_cases_before, scale.interventions * share)
        return out

    def _case(self, household_id, team, workers, leader, melding, previous, waiting=False) -> dict:
        rng, today, refs = self.rng, self.today, self.refs
        case_id = self.next_id("case")
        duration = min(720, 7 + int(rng.expovariate(1 / 300)))
        closed = melding + dt.timedelta(days=duration)
        closed = closed if closed < today and not waiting else None
        contact = None
        if not waiting and not (closed and duration < 8 and rng.random() < 0.5):
            contact = melding + dt.timedelta(days=min(rng.randint(0, 28), duration - 1 if closed else 28))
            if contact >= today:
                contact = None
        status = CaseStatus.CLOSED if closed else (CaseStatus.IN_PROGRESS if contact else CaseStatus.REGISTERED)
        trend = rng.choices([t for t, _ in TREND_WEIGHTS], weights=[w for _, w in TREND_WEIGHTS])[0]
        end = closed or today
        first = leader if rng.random() < 0.05 else rng.choice(workers)
        directors = [(first, melding)]
        assignments, transfer_reason = [], ""
        if (end - melding).days > 20 and rng.random() < 0.15:
            moment = melding + dt.timedelta(days=rng.randint(5, (end - melding).days - 1))
            second = rng.choice([w for w in workers if w != first] or [leader])
            transfer_reason = rng.choice(demo.TRANSFER_REASONS)
            assignments.append((self.next_id("assignment"), case_id, first.pk, melding, moment, "Eerste toewijzing",
                                first.user_id))
            assignments.append((self.next_id("assignment"), case_id, second.pk, moment, closed, transfer_reason,
                                leader.user_id))
            directors.append((second, moment))
        else:
            assignments.append((self.next_id("assignment"), case_id, first.pk, melding, closed, "Eerste toewijzing",
                                first.user_id))
        director = directors[-1][0]
        source = rng.choices(*refs["sources"])[0]
        reason = rng.choices(*refs["closure"][trend])[0] if closed else None
        reopened = previous if previous and (melding - previous["closed"]).days <= self.window else None
        row = (case_id, household_id, team.pk, melding, source, status, director.pk, contact, closed, reason,
               rng.random() < 0.05, reopened["id"] if reopened else None)
        case = {"id": case_id, "melding": melding, "contact": contact, "closed": closed, "end": end, "trend": trend,
                "directors": directors, "director": director, "leader": leader, "row": row,
                "assignments": assignments, "transfer_reason": transfer_reason}
        case["events"] = self._events(case, source, reason, reopened)
        return case

    @staticmethod
    def director_on(case: dict, day: dt.date):
        current = case["directors"][0][0]
        for staff, since in case["directors"]:
            if since <= day:
                current = staff
        return current

    def _events(self, case: dict, source: int, reason: int | None, reopened: dict | None) -> list:
        """The timeline as the services write it (cases/demo.py does the same for the small set)."""
        labels = self.refs["labels"]
        first, melding = case["directors"][0]
        rows = []

        def event(kind, on, actor_user, description=""):
            rows.append((self.next_id("event"), case["id"], kind, on, description[:500], actor_user))

        if reopened is not None:
            days = (melding - reopened["closed"]).days
            old_reason = self.refs["closure_labels"][reopened["row"][9]]
            event(CaseEventKind.REOPENED, melding, first.user_id,
                  f"Heropend {days} dagen na afsluiting (reden toen: {old_reason})")
        event(CaseEventKind.MELDING, melding, first.user_id, f"Bron: {self.refs['source_labels'][source]}")
        event(CaseEventKind.DIRECTOR, melding, first.user_id, f"Regisseur: {labels[first.pk]}")
        timeline = []
        if case["contact"]:
            timeline.append((case["contact"], 0, CaseEventKind.FIRST_CONTACT,
                             self.director_on(case, case["contact"]).user_id, ""))
        for staff, since in case["directors"][1:]:
            timeline.append((since, 1, CaseEventKind.TRANSFER, case["leader"].user_id,
                             f"Naar {labels[staff.pk]}: {case['transfer_reason']}"))
        if case["closed"]:
            timeline.append((case["closed"], 2, CaseEventKind.CLOSED, self.director_on(case, case["closed"]).user_id,
                             f"Reden: {self.refs['closure_labels'][reason]}"))
        for on, _, kind, actor, description in sorted(timeline, key=lambda item: (item[0], item[1])):
            event(kind, on, actor, description)
        return rows

    def _plan(self, case: dict, at_home: list[int], adults: list[int], out: dict) -> None:
        """One plan once the case is under way, with 1-3 goals; evaluated when the case closed."""
        rng = self.rng
        if not case["contact"] or (case["end"] - case["contact"]).days <= 14:
            return
        finalised = case["melding"] + dt.timedelta(days=rng.randint(14, 80))
        if finalised >= case["end"]:
            return
        closed = case["closed"]
        plan_id = self.next_id("plan")
        finalised_by = self.director_on(case, finalised).user_id
        out["plans"].append((plan_id, case["id"], 1, "geevalueerd" if closed else "vastgesteld",
                             finalised + dt.timedelta(days=120), finalised, finalised_by, closed))
        for person_id in at_home:
            out["covered"].append((self.next_id("covered"), plan_id, person_id))
        if not adults:
            return
        domains = self.refs["goal_domains"]
        achieved_chance = {1: 0.75, 0: 0.4, -1: 0.15}[case["trend"]]
        for domain_pk, domain_name in rng.sample(domains, rng.choice((1, 1, 2, 2, 3))):
            out["goals"].append((self.next_id("goal"), plan_id, rng.choice(adults), domain_pk,
                                 rng.choice(GOAL_TEXTS).format(domain=domain_name), rng.choice((3, 3, 4)),
                                 finalised + dt.timedelta(days=rng.randint(30, 200)),
                                 (rng.random() < achieved_chance) if closed else None))

    def _measurements(self, trajectories: list, target: float, out: dict) -> None:
        """ZRM trajectories: plan every candidate's dates, keep a share that meets the target; the scores
        follow the person's profile (mostly the case's: improving, stable or worsening)."""
        rng, today, refs = self.rng, self.today, self.refs
        planned = []
        for case, person_id in trajectories:
            end, closed = case["end"], case["closed"]
            first = case["melding"] + dt.timedelta(days=rng.randint(7, 60))
            if first >= end:
                continue
            dates = [(first, "nulmeting")]
            for months in range(3, 25, 3):  # the 6/12/18-month schedule; many teams measure quarterly
                day = _add_months(first, months) + dt.timedelta(days=rng.randint(-25, 35))
                if day < end and rng.random() < 0.95:
                    dates.append((day, "tussenmeting"))
            if closed and closed > dates[-1][0] and rng.random() < 0.8:  # the closing ZRM, mostly done
                dates.append((closed, "afsluiting"))
            if closed and rng.random() < 0.8:  # a follow-up some three months after closing
                day = closed + dt.timedelta(days=rng.randint(80, 120))
                if day < today:
                    dates.append((day, "follow_up"))
            planned.append((case, person_id, dates))
        total = sum(len(dates) for _, _, dates in planned)
        keep = min(1.0, target / total) if total else 0
        codes_2017 = refs["codes_2017"]
        v2013, v2017 = refs["v2013"], refs["v2017"]
        domain_ids, codes_2013 = refs["domain_ids"], refs["codes_2013"]
        trends = [t for t, _ in TREND_WEIGHTS]
        trend_weights = [w for _, w in TREND_WEIGHTS]
        for case, person_id, dates in planned:
            if rng.random() > keep:
                continue
            level = rng.choices((1, 2, 3, 4, 5), weights=SCORE_WEIGHTS, k=len(codes_2017))
            trend = case["trend"] if rng.random() < 0.75 else rng.choices(trends, weights=trend_weights)[0]
            for day, kind in dates:
                values = dict(zip(codes_2017, level))
                version = v2013 if day < VERSION_SWITCH else v2017
                if version == v2013:
                    values = {code: min(values[c] for c in MAP_2013.get(code, (code,))) for code in codes_2013}
                    scores = tuple(values[code] if rng.random() > 0.02 else None for code in codes_2013)
                else:
                    scores = tuple(v if rng.random() > 0.02 else None for v in level)
                problems, acute, bucket, clusters, category = self._derive(version, scores)
                assessor = self.director_on(case, day)
                measurement_id = self.next_id("measurement")
                finalised_at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc)
                out["measurements"].append((
                    measurement_id, person_id, case["id"], version, day, kind, assessor.pk, "vastgesteld", problems,
                    acute, bucket, clusters, category, assessor.user_id, assessor.user_id, finalised_at))
                for domain_id, value in zip(domain_ids[version], scores):
                    out["scores"].append((measurement_id, domain_id, value, "" if value is not None else "onbekend"))
                if trend:
                    chance = 0.3 if trend > 0 else 0.2
                    level = [max(1, min(5, v + trend)) if rng.random() < chance else v for v in level]

    def _interventions(self, out: dict, n_cases: int, target: float) -> None:
        rng, today = self.rng, self.today
        types = self.refs["intervention_types"]
        per_case = target / max(1, n_cases)
        for row in out["cases"]:
            case_id, melding = row[0], row[3]
            for _ in range(int(per_case) + (1 if rng.random() < per_case % 1 else 0)):
                action = rng.choices(("lopend", "gestart", "gestopt"), weights=(30, 50, 20))[0]
                if action == "gestart":
                    begin = melding + dt.timedelta(days=rng.randint(0, 60))
                else:
                    begin = melding - dt.timedelta(days=rng.randint(30, 700))
                begin = min(begin, today)
                stop = None
                if action == "gestopt":
                    stop = min(today, melding + dt.timedelta(days=rng.randint(1, 120)))
                elif rng.random() < 0.4:
                    stop = min(today, begin + dt.timedelta(days=rng.randint(30, 400)))
                out["interventions"].append((
                    self.next_id("intervention"), case_id, rng.choice(types), begin,
                    max(stop, begin) if stop else None, action,
                    rng.choices(("team", "netwerk", "extern"), weights=(25, 15, 60))[0]))
            if rng.random() < 0.04:
                kind = rng.choice(("huisuitzetting", "ots", "uhp", "opname_vv", "opname_ggz"))
                out["escalations"].append((
                    self.next_id("escalation"), case_id, kind, rng.random() < 0.6,
                    rng.randint(1, 3) if kind == "uhp" else None,
                    min(today, melding + dt.timedelta(days=rng.randint(10, 300)))))


# The tables in COPY order: (key in a chunk, model, columns). Scores before their measurements: with the
# triggers on (no superuser), a score of a not-yet-inserted measurement passes the immutability trigger.
_TABLES = (
    ("households", Household, ["id", "postcode", "house_number", "house_number_addition", "street", "city", "wijk"]),
    ("persons", Person, ["id", "bsn", "bsn_hash", "first_name", "name_prefix", "last_name", "date_of_birth"]),
    ("memberships", HouseholdMembership, ["id", "household_id", "person_id", "role", "living_at_home", "valid_from",
                                          "valid_to"]),
    ("cases", Case, ["id", "household_id", "team_id", "melding_date", "melding_source_id", "status", "regisseur_id",
                     "first_contact_date", "closed_on", "closure_reason_id", "safety_flag", "reopened_from_id"]),
    ("assignments", DirectorAssignment, ["id", "case_id", "regisseur_id", "started_on", "ended_on", "reason",
                                         "assigned_by_id"]),
    ("events", CaseEvent, ["id", "case_id", "kind", "occurred_on", "description", "actor_id"]),
    ("plans", Plan, ["id", "case_id", "version", "status", "review_date", "finalised_on", "finalised_by_id",
                     "evaluated_on"]),
    ("covered", Plan.covered_persons.through, ["id", "plan_id", "person_id"]),
    ("goals", Goal, ["id", "plan_id", "person_id", "domain_id", "description", "target_score", "target_date",
                     "achieved"]),
    ("scores", Score, ["measurement_id", "domain_id", "score", "not_scored_reason"]),
    ("measurements", Measurement, ["id", "person_id", "case_id", "version_id", "date", "type", "assessor_id",
                                   "status", "problem_domain_count", "acute_domain_count", "bucket",
                                   "cluster_scores", "household_category", "created_by_id", "finalised_by_id",
                                   "finalised_at"]),
    ("interventions", Intervention, ["id", "case_id", "type_id", "start_date", "end_date", "team_action",
                                     "deliverer"]),
    ("escalations", Escalation, ["id", "case_id", "kind", "prevented", "children_count", "date"]),
)


def _references(staff, teams) -> dict:
    v2013, v2017 = (InstrumentVersion.objects.get(code=code).pk for code in ("zrm-2013", "zrm-2017"))
    domains = {v: list(Domain.objects.filter(version_id=v, is_child_module=False).order_by("order"))
               for v in (v2013, v2017)}
    sources = list(MeldingSource.objects.filter(active=True).values_list("pk", "code"))
    reasons = list(ClosureReason.objects.filter(active=True).values_list("pk", "code"))
    by_team = {team.pk: i for i, team in enumerate(teams)}
    workers = [[] for _ in teams]
    leaders = [None] * len(teams)
    for member in staff:
        if member.team_id is None:
            continue
        if member.role == Role.SOCIAL_WORKER:
            workers[by_team[member.team_id]].append(member)
        elif member.role == Role.TEAM_LEADER and leaders[by_team[member.team_id]] is None:
            leaders[by_team[member.team_id]] = member
    return {
        "teams": teams, "workers": workers, "leaders": leaders,
        "labels": {m.pk: str(m) for m in staff},
        "sources": _weights(sources, demo.SOURCE_WEIGHTS),
        "source_labels": dict(MeldingSource.objects.values_list("pk", "label")),
        "closure": {trend: _weights(reasons, weights, default=0) for trend, weights in CLOSURE_BY_TREND.items()},
        "closure_labels": dict(ClosureReason.objects.values_list("pk", "label")),
        "intervention_types": list(InterventionType.objects.filter(active=True).values_list("pk", flat=True)),
        "v2013": v2013, "v2017": v2017,
        "codes_2013": [d.code for d in domains[v2013]], "codes_2017": [d.code for d in domains[v2017]],
        "domain_ids": {v: [d.pk for d in ds] for v, ds in domains.items()},
        "clusters": {v: [d.cluster for d in ds] for v, ds in domains.items()},
        "goal_domains": [(d.pk, d.name.lower()) for d in domains[v2017]],
    }


def _create_staff(scale: BulkScale, seed_value: int):
    """Organisations, teams, users and memberships through the ORM (a few hundred to a few thousand rows)."""
    team_areas = _teams(scale)
    plan = staff_plan(scale, seed_value)
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=name) for name in _organisations(scale.municipality)])
    teams = Team.objects.bulk_create([Team(name=t.spec.name, municipality=t.spec.municipality,
                                           postcode_areas=t.spec.postcode_areas) for t in team_areas])
    password = make_password(demo.DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    User = get_user_model()
    users = User.objects.bulk_create([
        User(username=m.username, first_name=m.first_name, last_name=m.last_name, password=password,
             email=f"{m.username}@{demo.DEMO_EMAIL_DOMAIN}", is_staff=m.role == Role.ADMINISTRATOR)
        for m in plan
    ], batch_size=1000)
    staff = StaffMembership.objects.bulk_create([
        StaffMembership(user=user, team=teams[m.team] if m.team is not None else None, role=m.role, fte=m.fte,
                        discipline=m.discipline, home_organisation=organisations[m.organisation])
        for user, m in zip(users, plan)
    ], batch_size=1000)
    for member, user in zip(staff, users):
        member.user = user  # str(member) names the user; no query per member
    return team_areas, teams, staff


def _disable_checks(cursor) -> bool:
    """session_replication_role = replica for this transaction when allowed (superuser); False otherwise."""
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
        return True
    except DatabaseError:
        logger.info("bulk demo data: no privilege to skip triggers; loading with triggers and foreign keys on")
        return False


def _chunks(scale: BulkScale, team_areas: list[_TeamArea], generator: _Generator, seed_value: int):
    """(counts, [(COPY statement, data)] per table), a chunk of households at a time. Pure Python: it runs
    in a thread beside the COPY."""
    names = demo._Names(seed_value + 2)  # street names beyond the few given per team
    n_households = int(scale.cases * HOUSEHOLDS_PER_CASE)
    n_teams = len(team_areas)
    addresses = []
    for i, area in enumerate(team_areas):
        # Every postcode area gets streets, so every area (and wijk) has households at every scale.
        streets = {code: given or tuple(names.fake.street_name() for _ in range(3))
                   for code, given in area.spec.streets.items()}
        spec = replace(area.spec, streets=streets)
        addresses.append(demo._addresses(spec, n_households // n_teams + (i < n_households % n_teams),
                                         random.Random(f"addresses-{seed_value}-{i}"), names))
    batch = []
    for h in range(n_households):
        team_index = h % n_teams  # teams take turns, so every chunk spreads over all of them
        address = next(addresses[team_index])
        newest = h >= n_households - n_teams  # guarantees an aangemelde case per team, whatever the scale
        batch.append((team_index, address, team_areas[team_index].wijken[address[0][:4]], newest))
        if len(batch) == CHUNK_HOUSEHOLDS or h == n_households - 1:
            rows = generator.chunk(batch)
            batch = []
            counts = Counter({key: len(rows[key]) for key in rows})
            counts.update(str(row[5]) for row in rows["cases"])
            counts["reopened"] = sum(1 for row in rows["cases"] if row[11] is not None)
            yield counts, [_copy_data(model, columns, rows[key], generator.now) for key, model, columns in _TABLES]


_DONE = object()


def _in_background(iterator, ahead: int = 2):
    """Run a generator in a thread, a few items ahead: the Python generation of the next chunk then
    overlaps with PostgreSQL storing the previous one (waiting for the server releases the GIL)."""
    items: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce():
        try:
            for item in iterator:
                if stop.is_set():
                    return
                items.put(item)
            items.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            items.put(exc)

    thread = threading.Thread(target=produce, name="bulk-demo-generator", daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                items.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


def seed(scale: BulkScale | str, today: dt.date | None = None, seed_value: int = 2019) -> dict:
    """Generate and load the data set into an empty PostgreSQL database in one transaction.

    Returns counts per kind (households, persons, cases, open_cases, reopened, one per case status,
    measurements, scores, interventions, plans, goals, events, ...), teams, staff, fte and `seconds`.
    Raises demo.DemoDataExists when the database already holds data.
    """
    if isinstance(scale, str):
        scale = SCALES[scale]
    if connection.vendor != "postgresql":
        raise NotImplementedError("bulk demo data need PostgreSQL (COPY)")
    started = time.monotonic()
    today = today or timezone.localdate()
    counts: Counter = Counter({status: 0 for status in CaseStatus.values})
    with transaction.atomic():
        if has_data(scale):
            raise demo.DemoDataExists("De database bevat al gegevens.")
        team_areas, teams, staff = _create_staff(scale, seed_value)
        generator = _Generator(scale, today, seed_value, _references(staff, teams))
        with connection.cursor() as wrapper:
            replica = _disable_checks(wrapper)
            cursor = wrapper.cursor  # the psycopg cursor, for COPY
            for chunk_counts, statements in _in_background(_chunks(scale, team_areas, generator, seed_value)):
                for statement, data in statements:
                    with cursor.copy(statement) as out:
                        out.write(data)
                counts.update(chunk_counts)
            for _, model, columns in _TABLES:
                if "id" in columns:
                    _move_sequence(wrapper, model)
        audit_log.append([AuditEvent(
            user=None, client=AUDIT_CLIENT, action=AuditAction.CREATE, object_type="demodataset", object_id=scale.name,
            purpose=demo.AUDIT_PURPOSE)])
    with connection.cursor() as cursor:  # fresh planner statistics for the first queries on the new rows
        cursor.execute("ANALYZE " + ", ".join(f'"{model._meta.db_table}"' for _, model, _ in _TABLES))
    counts["open_cases"] = counts["cases"] - counts[str(CaseStatus.CLOSED)]
    result = dict(counts)
    result.update(
        teams=len(teams), staff=len(staff), triggers_skipped=replica,
        fte=round(sum(float(m.fte) for m in staff if m.role in (Role.SOCIAL_WORKER, Role.TEAM_LEADER)), 1),
        seconds=round(time.monotonic() - started, 1),
    )
    return result
