"""Bulk demo data: the rows of every table for a chunk of households, in pure Python (no database).

Households and persons, cases with their director history and timeline, plans and goals, ZRM
trajectories (ZRM 2013 before VERSION_SWITCH, ZRM 2017 after) and interventions and escalations.
Ids are counted here, so the rows go in by COPY with explicit ids.
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter

from django.conf import settings
from django.utils import timezone

from cases.crypto import bsn_lookup_hash, encrypt_bsn
from cases.models import CaseEventKind, CaseStatus, MemberRole
from common.validators import complete_bsn
from demo.small import plan as small_plan
from zrm.derived import derive

from .scales import HOUSEHOLDS_PER_CASE, BulkScale

VERSION_SWITCH = dt.date(2023, 1, 1)  # ZRM 2017 replaced ZRM 2013 on this day in the generated history
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
        names = small_plan._Names(seed_value)
        self.rng = rng
        self.surnames = [names.surname() for _ in range(1500)]
        self.female = sorted({names.fake.first_name_female() for _ in range(700)})
        self.male = sorted({names.fake.first_name_male() for _ in range(700)})

    def surname(self) -> tuple[str, str]:
        return self.rng.choice(self.surnames)

    def first(self, female: bool, born: dt.date) -> str:
        if born.year < 1960:
            return self.rng.choice(small_plan.TRADITIONAL_FEMALE if female else small_plan.TRADITIONAL_MALE)
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
        """(role, born, female, surname, living at home, left days ago or None), as demo/small/plan.py composes them."""
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
            transfer_reason = rng.choice(small_plan.TRANSFER_REASONS)
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
        """The timeline as the services write it (demo/small/load.py does the same for the small set)."""
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
