"""The aggregates stay the same: every cell of a varied, deterministic registration matches a committed
golden file (tests/reporting/golden_cells.json: per indicator the number of cells and a SHA-256 of their
values), on whichever PostgreSQL runs (the embedded server of `make test` or the machine's in CI).

Regenerate it (after a deliberate change of a definition) with
WIJKREGIE_WRITE_GOLDEN=1 pytest tests/reporting/test_same_results.py, and review the diff.
"""
import datetime as dt
import hashlib
import json
import os
import random
from pathlib import Path

import pytest

from cases.models import ClosureReason, DirectorAssignment, Escalation, Intervention, InterventionType, MemberRole, Plan
from reporting import services
from reporting.models import AggregateCell
from tests.factories import StaffFactory, TeamFactory, UserFactory
from tests.reporting.factories import adults, make_case, measure, scores

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).with_name("golden_cells.json")
ON = dt.date(2026, 1, 15)
SOURCES = ["zelfmelder", "huisarts_poh", "school", "woningcorporatie", "vroegsignalering_schulden"]
REASONS = ["doelen_behaald", "redt_het_zelf", "verhuisd", "overgedragen_tweede_lijn"]
CODES = ["financien", "werk_opleiding", "tijdsbesteding", "huisvesting", "huiselijke_relaties",
         "geestelijke_gezondheid", "middelengebruik", "sociaal_netwerk", "justitie"]


def build_registration():
    rng = random.Random(7)
    teams, workers = {}, {}
    for team_name in ("Team Noord", "Team Zuid"):
        team = TeamFactory(name=team_name)
        teams[team.pk] = team_name
        for n, fte in enumerate((1, 0.8, 0.56)):
            staff = StaffFactory(team=team, fte=fte, user=UserFactory(username=f"{team_name[5:].lower()}-{n}"))
            workers.setdefault(team_name, []).append(staff)
            teams.setdefault("staff", {})[str(staff.pk)] = staff.user.username
    types = list(InterventionType.objects.filter(code__in=["schuldhulpverlening", "ggz_ambulant", "anders"]))
    for i in range(36):
        team_name = ("Team Noord", "Team Zuid")[i % 2]
        worker = workers[team_name][rng.randrange(3)]
        melding = dt.date(2024, 1, 8) + dt.timedelta(days=rng.randrange(0, 600))
        contact = melding + dt.timedelta(days=rng.randrange(0, 30)) if rng.random() < 0.85 else None
        closed = None
        if contact and rng.random() < 0.4:
            closed = contact + dt.timedelta(days=rng.randrange(20, 300))
            closed = closed if closed < ON else None
        members = [(MemberRole.PARENT, dt.date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)))]
        if rng.random() < 0.5:
            members.append((MemberRole.CHILD, dt.date(2008 + rng.randrange(12), 6, 1)))
        reason = rng.choice(REASONS)
        case = make_case(worker, melding, contact=contact, source=rng.choice(SOURCES),
                         wijk=rng.choice(["Noord", "Zuid", "Centrum"]), members=members)
        if contact and rng.random() < 0.3 and (closed or ON) - contact > dt.timedelta(days=40):
            other = workers[team_name][(workers[team_name].index(worker) + 1) % 3]
            moment = contact + dt.timedelta(days=30)
            DirectorAssignment.objects.filter(case=case).update(ended_on=moment)
            DirectorAssignment.objects.create(case=case, regisseur=other, started_on=moment, ended_on=closed,
                                              reason="verdeling", assigned_by=worker.user)
            type(case).objects.filter(pk=case.pk).update(regisseur=other)
        if contact and rng.random() < 0.7:
            Plan.objects.create(case=case, version=1, status="vastgesteld",
                                finalised_on=melding + dt.timedelta(days=rng.randrange(10, 70)))
        for _ in range(rng.randrange(0, 3)):
            action = rng.choice(["lopend", "gestart", "gestopt"])
            start = melding + dt.timedelta(days=rng.randrange(-100, 60))
            end = start + dt.timedelta(days=rng.randrange(10, 200)) if action == "gestopt" else None
            Intervention.objects.create(case=case, type=rng.choice(types), team_action=action,
                                        deliverer=rng.choice(["team", "netwerk", "extern"]), start_date=start,
                                        end_date=end, subcategory="overleg")
        if rng.random() < 0.15:
            Escalation.objects.create(case=case, kind="huisuitzetting", prevented=rng.random() < 0.5,
                                      date=melding + dt.timedelta(days=rng.randrange(5, 90)))
        if contact:
            person = adults(case)[0]
            day, level = contact + dt.timedelta(days=rng.randrange(1, 50)), [rng.randint(1, 5) for _ in CODES]
            version = "zrm-2013" if day < dt.date(2024, 6, 1) else "zrm-2017"
            kind = "nulmeting"
            while day < (closed or ON) and day < dt.date(2026, 1, 1):
                if version == "zrm-2013":
                    values = scores(4, codes=["financien", "dagbesteding", "huisvesting", "huiselijke_relaties",
                                              "geestelijke_gezondheid", "lichamelijke_gezondheid", "verslaving",
                                              "adl", "sociaal_netwerk", "maatschappelijke_participatie",
                                              "justitie"], financien=level[0], dagbesteding=min(level[1:3]),
                                    verslaving=level[6], justitie=level[8])
                else:
                    values = scores(4, **dict(zip(CODES, level)))
                measure(case, person, day, values, type=kind, version=version)
                kind, version = "tussenmeting", "zrm-2017"
                day += dt.timedelta(days=rng.randrange(150, 220))
                level = [max(1, min(5, v + rng.choice([-1, 0, 1, 1]))) for v in level]
        if closed:  # closed after the measurements (a closed case only takes closing measurements)
            type(case).objects.filter(pk=case.pk).update(status="afgesloten", closed_on=closed,
                                                         closure_reason=ClosureReason.objects.get(code=reason))
            DirectorAssignment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=closed)
    return teams


def normalised(names) -> list:
    staff = names["staff"]
    out = []
    for c in AggregateCell.objects.all():
        key = names.get(int(c.scope_key)) if c.scope_kind == "team" else c.scope_key
        key1 = staff.get(c.key1, c.key1) if c.indicator.startswith("caseload_worker") else c.key1
        out.append([c.scope_kind, key, c.period_kind, c.period_start.isoformat(), c.indicator, key1, c.key2, c.key3,
                    c.count, None if c.value is None else round(c.value, 9), c.base])
    return sorted(out, key=lambda row: [str(v) for v in row])


def fingerprint(cells: list) -> dict:
    """Per indicator: the number of cells and a SHA-256 of their canonical JSON."""
    by_indicator: dict[str, list] = {}
    for row in cells:
        by_indicator.setdefault(row[4], []).append(row)
    return {name: {"cells": len(rows), "sha256": hashlib.sha256(json.dumps(rows).encode()).hexdigest()}
            for name, rows in sorted(by_indicator.items())}


def test_every_cell_matches_the_golden_file():
    names = build_registration()
    services.rebuild_all(on=ON)
    got = fingerprint(normalised(names))
    assert sum(v["cells"] for v in got.values()) > 1000
    if os.environ.get("WIJKREGIE_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())
    differing = sorted(name for name in set(got) | set(expected) if got.get(name) != expected.get(name))
    assert not differing, f"these indicators differ from the golden file: {differing}"
