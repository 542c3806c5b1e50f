"""Demo data, the small hand-built set (`python manage.py seed_demo`): writing the plan.

`seed` converts the plan of demo/small/plan.py to model rows and inserts them with bulk_create,
in chunks of households, inside one transaction.

The writer bypasses the services for speed but inserts every row already in its final state,
so every invariant the services and the database guard still holds: at most one open case per
household; an open case has a director of its own team; a closed case has closed_on and a
reason; first contact and closing are not before the melding; a case closed within the
reopening window before a new melding is linked as `reopened_from`; director history without
gaps; timeline events and audit rows as the services would write them.

The data are for demonstrations only; so is the shared demo password.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import reset_queries, transaction
from django.utils import timezone

from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    MeldingSource,
    Organisation,
    Person,
    Role,
    StaffMembership,
    Team,
)
from common import audit as audit_log
from common.models import AuditAction, AuditEvent, AuditPurpose

from .plan import (
    DEFAULT_SEED,
    ORGANISATIONS,
    SCALES,
    CasePlan,
    HouseholdPlan,
    Scale,
    StaffPlan,
    plan_households,
    plan_staff,
)

DEMO_PASSWORD = "wijkregie-demo"
# Demo accounts carry an address in a reserved example domain; `demo_logins` lists exactly these.
DEMO_EMAIL_DOMAIN = "demo.wijkregie.example"
DEMO_URL = "http://127.0.0.1:8000/"
AUDIT_CLIENT = "seed_demo"
AUDIT_PURPOSE = AuditPurpose.DEMO.value
BATCH_SIZE = 1000
HOUSEHOLD_CHUNK = 2000


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
