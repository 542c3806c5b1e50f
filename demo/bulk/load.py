"""Bulk demo data: `seed` loads a scale into an empty PostgreSQL database in one transaction.

Organisations, teams and staff go in through the ORM; every other table by `COPY ... FROM STDIN`,
a chunk of households at a time, generated in a thread while PostgreSQL stores the previous chunk.
"""
from __future__ import annotations

import datetime as dt
import logging
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import (
    Case,
    CaseEvent,
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
    Organisation,
    Person,
    Plan,
    Role,
    StaffMembership,
    Team,
)
from common import audit as audit_log
from common.models import AuditAction, AuditEvent
from demo.small import load as small_load
from demo.small import plan as small_plan
from zrm.models import Domain, InstrumentVersion, Measurement, Score

from .copy_text import _copy_data, _move_sequence
from .generate import CLOSURE_BY_TREND, _Generator, _weights
from .scales import HOUSEHOLDS_PER_CASE, SCALES, BulkScale, _organisations, _TeamArea, _teams, has_data, staff_plan

logger = logging.getLogger(__name__)

CHUNK_HOUSEHOLDS = 2000  # small enough that generating the next chunk overlaps with storing this one
AUDIT_CLIENT = "seed_demo"


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
        "sources": _weights(sources, small_plan.SOURCE_WEIGHTS),
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
    password = make_password(small_load.DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    User = get_user_model()
    users = User.objects.bulk_create([
        User(username=m.username, first_name=m.first_name, last_name=m.last_name, password=password,
             email=f"{m.username}@{small_load.DEMO_EMAIL_DOMAIN}", is_staff=m.role == Role.ADMINISTRATOR)
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
    names = small_plan._Names(seed_value + 2)  # street names beyond the few given per team
    n_households = int(scale.cases * HOUSEHOLDS_PER_CASE)
    n_teams = len(team_areas)
    addresses = []
    for i, area in enumerate(team_areas):
        # Every postcode area gets streets, so every area (and wijk) has households at every scale.
        streets = {code: given or tuple(names.fake.street_name() for _ in range(3))
                   for code, given in area.spec.streets.items()}
        spec = replace(area.spec, streets=streets)
        addresses.append(small_plan._addresses(spec, n_households // n_teams + (i < n_households % n_teams),
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
    Raises small_load.DemoDataExists when the database already holds data.
    """
    if isinstance(scale, str):
        scale = SCALES[scale]
    started = time.monotonic()
    today = today or timezone.localdate()
    counts: Counter = Counter({status: 0 for status in CaseStatus.values})
    with transaction.atomic():
        if has_data(scale):
            raise small_load.DemoDataExists("De database bevat al gegevens.")
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
            purpose=small_load.AUDIT_PURPOSE)])
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
