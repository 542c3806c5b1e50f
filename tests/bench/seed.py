"""A Leeuwarden-scale registration, generated fast into PostgreSQL with COPY.

Leeuwarden 2019 (DOMAIN.md §6): 8 teams, about 105 fte; here 40,000 cases over 5 years, about
85,000 persons, 250,000 ZRM measurements (ZRM 2013 before 2023, ZRM 2017 after, so some
trajectories cross versions), 200,000 interventions, plans with goals, escalations. Scores
follow a profile per person that improves for some, stays for others and worsens for a few.

Rows go in with explicit ids through `COPY ... FROM STDIN` in one transaction with
session_replication_role = replica (no per-row trigger or foreign-key check: the generator
writes consistent rows itself; the partial unique indexes still hold). Columns not set here get
their model default, so fields added later by other parts of the app do not break the seed.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import time
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from cases.models import (
    Case,
    ClosureReason,
    DirectorAssignment,
    Escalation,
    Goal,
    Household,
    HouseholdMembership,
    Intervention,
    InterventionType,
    MeldingSource,
    Person,
    Plan,
    Role,
    StaffMembership,
    Team,
)
from zrm.derived import derive
from zrm.models import Domain, InstrumentVersion, Measurement, Score


@dataclass(frozen=True)
class BenchScale:
    name: str
    teams: int
    workers_per_team: int
    cases: int
    persons: int
    measurements: int
    interventions: int
    years: int = 5


SCALES = {
    "tiny": BenchScale("tiny", 2, 4, 400, 850, 2_500, 2_000),
    "demo": BenchScale("demo", 4, 8, 4_000, 8_500, 25_000, 20_000),
    "leeuwarden": BenchScale("leeuwarden", 8, 13, 40_000, 85_000, 250_000, 200_000),
    "amsterdam": BenchScale("amsterdam", 80, 13, 400_000, 850_000, 2_500_000, 2_000_000),
}

FTES = (0.67, 0.89, 1.0, 1.0, 1.0, 0.89)
FIRST = ("Anna", "Bram", "Chantal", "Daan", "Eva", "Fenna", "Gerrit", "Hiske", "Ids", "Jildou", "Klaas", "Lieke",
         "Marrit", "Nynke", "Okke", "Pier", "Rixt", "Sjoerd", "Tjitske", "Wietske", "Youssef", "Fatima", "Mohamed")
LAST = ("de Vries", "Hoekstra", "Dijkstra", "Visser", "Bosma", "de Jong", "van der Meer", "Postma", "Kramer",
        "Zijlstra", "Terpstra", "Veenstra", "Wiersma", "Yilmaz", "Bakker", "Jansen", "Sikkema", "Haagsma")
STREETS = ("Nieuwestad", "Tweebaksmarkt", "Oostersingel", "Westersingel", "Schrans", "Cambuursterweg",
           "Valeriusstraat", "Bilgaardpark", "Zaailand", "Heechterp", "Schieringen", "Vrijheidswijk")
KINDS = (("two_parents", 28), ("single_parent", 17), ("senior_single", 12), ("senior_couple", 8), ("single", 22),
         ("couple", 8), ("shared", 5))
SCORE_WEIGHTS = (5, 15, 30, 30, 20)
MAP_2013 = {"dagbesteding": ("werk_opleiding", "tijdsbesteding"), "adl": ("basale_adl", "instrumentele_adl"),
            "verslaving": ("middelengebruik",)}
VERSION_SWITCH = dt.date(2023, 1, 1)


def _defaults(model, given: list[str], now):
    """Column names and constant values for every concrete column not in `given` (model defaults)."""
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
            raise ValueError(f"{model.__name__}.{field.name} needs a value in the benchmark seed")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        columns.append(field.column)
        values.append(value)
    return columns, values


def copy(cursor, model, given: list[str], rows) -> int:
    """COPY rows (tuples in the order of `given`, field attnames incl. id) into the model's table."""
    now = timezone.now()
    extra_columns, extra_values = _defaults(model, given, now)
    columns = [model._meta.get_field(name).column if name != "id" else "id" for name in given] + extra_columns
    quoted = ", ".join(f'"{c}"' for c in columns)
    n = 0
    with cursor.copy(f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN') as out:
        for row in rows:
            out.write_row((*row, *extra_values))
            n += 1
    if "id" in given:  # explicit ids: move the identity past them
        table = model._meta.db_table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f"GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")
    return n


def _birth(rng, today, low, high):
    return today - dt.timedelta(days=rng.randint(low * 365 + 1, high * 365 + 300))


def seed(scale: BenchScale, today: dt.date, seed_value: int = 2019) -> dict:
    """Generate and load the data set; returns counts and the seconds it took."""
    started = time.monotonic()
    rng = random.Random(seed_value)
    User = get_user_model()
    sources = list(MeldingSource.objects.values_list("pk", flat=True))
    reasons = list(ClosureReason.objects.values_list("pk", flat=True))
    types = list(InterventionType.objects.values_list("pk", flat=True))
    v2013, v2017 = InstrumentVersion.objects.get(code="zrm-2013"), InstrumentVersion.objects.get(code="zrm-2017")
    domains = {v.pk: list(Domain.objects.filter(version=v, is_child_module=False).order_by("order"))
               for v in (v2013, v2017)}
    codes_2017 = [d.code for d in domains[v2017.pk]]

    # Staff through the ORM (a few hundred rows).
    password = make_password("bench-only-password")
    teams = Team.objects.bulk_create([Team(name=f"Wijkteam Leeuwarden {i + 1}", municipality="Leeuwarden",
                                           postcode_areas=[str(8911 + i)]) for i in range(scale.teams)])
    users, staff_rows = [], []
    for t, team in enumerate(teams):
        users.append(User(username=f"bench-tl-{t}", password=password, first_name="Teamleider",
                          last_name=f"{t + 1}"))
        staff_rows.append((team, Role.TEAM_LEADER, 1))
        for w in range(scale.workers_per_team):
            users.append(User(username=f"bench-sw-{t}-{w}", password=password, first_name=rng.choice(FIRST),
                              last_name=rng.choice(LAST)))
            staff_rows.append((team, Role.SOCIAL_WORKER, FTES[w % len(FTES)]))
    users = User.objects.bulk_create(users)
    staff = StaffMembership.objects.bulk_create([
        StaffMembership(user=u, team=team, role=role, fte=fte) for u, (team, role, fte) in zip(users, staff_rows)])
    workers = {team.pk: [s for s in staff if s.team_id == team.pk and s.role == Role.SOCIAL_WORKER] for team in teams}
    leaders = {s.team_id: s for s in staff if s.role == Role.TEAM_LEADER}

    households, persons, memberships, cases, assignments, plans, goals = [], [], [], [], [], [], []
    start = today - relativedelta(years=scale.years)
    span = (today - start).days
    pairs = []  # (case row index, person id, end date) candidates for ZRM trajectories
    n_households = int(scale.cases / 1.16)
    for h in range(n_households):
        team = teams[h % len(teams)]
        household_id = h + 1
        street = STREETS[h % len(STREETS)]
        letters = "ABCDEGHJKLMNPRSTVWXZ"
        postcode = f"{8911 + h % len(teams)}{letters[h % 20]}{letters[(h // 20) % 20]}"
        households.append((household_id, postcode, h % 400 + 1, street, "Leeuwarden", f"Wijk {h % len(teams) + 1}"
                           if h % 7 else f"Wijk {(h + 3) % len(teams) + 1}"))
        kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        family = rng.choice(LAST)
        members = []
        if kind in ("two_parents", "single_parent"):
            members.append(("ouder", _birth(rng, today, 25, 55)))
            if kind == "two_parents":
                members.append(("partner", _birth(rng, today, 25, 55)))
            members += [("kind", _birth(rng, today, 0, 17)) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
        elif kind == "senior_single":
            members.append(("overig", _birth(rng, today, 66, 92)))
        elif kind == "senior_couple":
            members += [("partner", _birth(rng, today, 66, 90)), ("partner", _birth(rng, today, 65, 88))]
        elif kind == "single":
            members.append(("overig", _birth(rng, today, 19, 63)))
        else:
            members += [("overig", _birth(rng, today, 19, 63)), ("overig", _birth(rng, today, 19, 63))]
        adult_ids, measured = [], []  # ZRM for adults and for youth of 12 and over
        for role, born in members:
            person_id = len(persons) + 1
            persons.append((person_id, rng.choice(FIRST), family, born))
            memberships.append((len(memberships) + 1, household_id, person_id, role, True, dt.date(2015, 1, 1)))
            if role != "kind":
                adult_ids.append(person_id)
            if (today - born).days > 12 * 365 + 3 * 365 * rng.random():
                measured.append(person_id)
        # Cases: a first one, sometimes a later one (a reopening when within a year of the closing).
        melding = start + dt.timedelta(days=rng.randint(0, span - 3))
        previous = None
        while melding < today - dt.timedelta(days=1):
            case_id = len(cases) + 1
            duration = min(720, 7 + int(rng.expovariate(1 / 300)))
            closed = melding + dt.timedelta(days=duration)
            closed = closed if closed < today else None
            contact = None
            if not (closed and duration < 8 and rng.random() < 0.5):
                contact = melding + dt.timedelta(days=min(rng.randint(0, 28), duration - 1 if closed else 28))
                if contact >= today:
                    contact = None
            status = "afgesloten" if closed else ("in_behandeling" if contact else "aangemeld")
            worker = rng.choice(workers[team.pk])
            reopened = previous if previous and (melding - previous[1]).days <= 365 else None
            end = closed or today
            director = worker
            if (end - melding).days > 20 and rng.random() < 0.15:
                moment = melding + dt.timedelta(days=rng.randint(5, (end - melding).days - 1))
                director = rng.choice(workers[team.pk])
                if director.pk == worker.pk:
                    director = leaders[team.pk]
                assignments.append((len(assignments) + 1, case_id, worker.pk, melding, moment, "Eerste toewijzing",
                                    worker.user_id))
                assignments.append((len(assignments) + 1, case_id, director.pk, moment, closed,
                                    "Caseloadverdeling", leaders[team.pk].user_id))
            else:
                assignments.append((len(assignments) + 1, case_id, worker.pk, melding, closed, "Eerste toewijzing",
                                    worker.user_id))
            cases.append((case_id, household_id, team.pk, melding, rng.choice(sources), status, director.pk, contact,
                          closed, rng.choice(reasons) if closed else None, False, reopened[0] if reopened else None))
            if contact and (end - contact).days > 14:
                finalised = melding + dt.timedelta(days=rng.randint(14, 80))
                if finalised < end:
                    plan_id = len(plans) + 1
                    plans.append((plan_id, case_id, 1, "geevalueerd" if closed else "vastgesteld",
                                  finalised + dt.timedelta(days=120), finalised, director.user_id, closed))
                    if not closed and adult_ids:
                        goals.append((len(goals) + 1, plan_id, adult_ids[0], rng.randint(0, len(codes_2017) - 1),
                                      finalised + dt.timedelta(days=rng.randint(30, 200))))
                for person_id in measured:
                    pairs.append((case_id, person_id, melding, end, closed, director))
            if not closed or rng.random() > 0.17:
                break
            previous = (case_id, closed)
            melding = closed + dt.timedelta(days=rng.randint(10, 400))

    # ZRM trajectories: plan every candidate's measurement dates, then keep a share that meets the target.
    trajectories = []
    for case_id, person_id, melding, end, closed, director in pairs:
        first = melding + dt.timedelta(days=rng.randint(7, 60))
        if first >= end:
            continue
        dates = [(first, "nulmeting")]
        for months in range(3, 25, 3):  # the 6/12/18-month schedule, and many teams measure quarterly
            day = first + relativedelta(months=months) + dt.timedelta(days=rng.randint(-25, 35))
            if day < end and rng.random() < (0.95 if months % 6 == 0 else 0.9):
                dates.append((day, "tussenmeting"))
        if closed and closed > dates[-1][0] and rng.random() < 0.6:
            dates.append((closed, "afsluiting"))
        if closed and rng.random() < 0.7:
            day = closed + dt.timedelta(days=rng.randint(80, 120))
            if day < today:
                dates.append((day, "follow_up"))
        trajectories.append((case_id, person_id, director, dates))
    total = sum(len(t[3]) for t in trajectories)
    keep = min(1.0, scale.measurements / total) if total else 0
    measurements, scores = [], []
    domain_ids = {v: [d.pk for d in ds] for v, ds in domains.items()}
    clusters = {v: [d.cluster for d in ds] for v, ds in domains.items()}
    for case_id, person_id, director, dates in trajectories:
        if rng.random() > keep:
            continue
        level = rng.choices((1, 2, 3, 4, 5), weights=SCORE_WEIGHTS, k=len(codes_2017))
        trend = rng.choices((1, 0, -1), weights=(45, 35, 20))[0]
        for day, kind in dates:
            values = dict(zip(codes_2017, level))
            version = v2013 if day < VERSION_SWITCH else v2017
            if version == v2013:
                values = {d.code: min(values[c] for c in MAP_2013.get(d.code, (d.code,))) for d in domains[v2013.pk]}
            row_scores = [values[d.code] if rng.random() > 0.02 else None for d in domains[version.pk]]
            derived = derive(list(zip(clusters[version.pk], row_scores)))
            measurement_id = len(measurements) + 1
            measurements.append((measurement_id, person_id, case_id, version.pk, day, kind, director.pk,
                                 "vastgesteld", derived.problem_domain_count, derived.acute_domain_count,
                                 derived.bucket, json.dumps(derived.cluster_scores), derived.household_category,
                                 director.user_id, director.user_id, timezone.now()))
            scores.append((measurement_id, version.pk, row_scores))
            if trend:
                level = [max(1, min(5, v + trend)) if rng.random() < (0.3 if trend > 0 else 0.2) else v
                         for v in level]

    interventions, escalations = [], []
    per_case = scale.interventions / max(1, len(cases))
    for case_id, _, _, melding, _, _, _, contact, closed, _, _, _ in cases:
        for _ in range(int(per_case) + (1 if rng.random() < per_case % 1 else 0)):
            action = rng.choices(("lopend", "gestart", "gestopt"), weights=(30, 50, 20))[0]
            begin = melding - dt.timedelta(days=rng.randint(30, 700)) if action != "gestart" else \
                melding + dt.timedelta(days=rng.randint(0, 60))
            begin = min(begin, today)
            stop = None
            if action == "gestopt":
                stop = min(today, melding + dt.timedelta(days=rng.randint(1, 120)))
            elif rng.random() < 0.4:
                stop = min(today, begin + dt.timedelta(days=rng.randint(30, 400)))
            interventions.append((len(interventions) + 1, case_id, rng.choice(types), begin, max(stop, begin)
                                  if stop else None, action, rng.choices(("team", "netwerk", "extern"),
                                                                           weights=(25, 15, 60))[0]))
        if rng.random() < 0.04:
            kind = rng.choice(("huisuitzetting", "ots", "uhp", "opname_vv", "opname_ggz"))
            escalations.append((len(escalations) + 1, case_id, kind, rng.random() < 0.6,
                                rng.randint(1, 3) if kind == "uhp" else None,
                                min(today, melding + dt.timedelta(days=rng.randint(10, 300)))))

    counts = {}
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET LOCAL session_replication_role = replica")
        counts["households"] = copy(cursor, Household, ["id", "postcode", "house_number", "street", "city", "wijk"],
                                    households)
        counts["persons"] = copy(cursor, Person, ["id", "first_name", "last_name", "date_of_birth"], persons)
        copy(cursor, HouseholdMembership, ["id", "household_id", "person_id", "role", "living_at_home", "valid_from"],
             memberships)
        counts["cases"] = copy(cursor, Case, [
            "id", "household_id", "team_id", "melding_date", "melding_source_id", "status", "regisseur_id",
            "first_contact_date", "closed_on", "closure_reason_id", "safety_flag", "reopened_from_id"], cases)
        copy(cursor, DirectorAssignment, ["id", "case_id", "regisseur_id", "started_on", "ended_on", "reason",
                                          "assigned_by_id"], assignments)
        counts["plans"] = copy(cursor, Plan, ["id", "case_id", "version", "status", "review_date", "finalised_on",
                                              "finalised_by_id", "evaluated_on"], plans)
        domain_2017 = [d.pk for d in domains[v2017.pk]]
        counts["goals"] = copy(cursor, Goal, ["id", "plan_id", "person_id", "domain_id", "description", "target_date"],
                               ((g, p, person, domain_2017[d], "Doel", day) for g, p, person, d, day in goals))
        counts["measurements"] = copy(cursor, Measurement, [
            "id", "person_id", "case_id", "version_id", "date", "type", "assessor_id", "status",
            "problem_domain_count", "acute_domain_count", "bucket", "cluster_scores", "household_category",
            "created_by_id", "finalised_by_id", "finalised_at"], measurements)
        counts["scores"] = copy(cursor, Score, ["measurement_id", "domain_id", "score", "not_scored_reason"], (
            (mid, did, value, "" if value is not None else "onbekend")
            for mid, version_id, values in scores for did, value in zip(domain_ids[version_id], values)))
        counts["interventions"] = copy(cursor, Intervention, [
            "id", "case_id", "type_id", "start_date", "end_date", "team_action", "deliverer"], interventions)
        counts["escalations"] = copy(cursor, Escalation, ["id", "case_id", "kind", "prevented", "children_count",
                                                          "date"], escalations)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts["teams"] = len(teams)
    counts["fte"] = round(sum(float(s.fte) for s in staff), 1)
    counts["open_cases"] = sum(1 for c in cases if c[5] != "afgesloten")
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
