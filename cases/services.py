"""Every write in the cases app: one function per use case.

Each service validates its input, runs in one transaction (nothing is half-saved), writes the
case timeline and the audit log, and raises django.core.exceptions.ValidationError with a
Dutch message keyed by field when input is wrong. The database constraints back the same rules
up; an IntegrityError that slips past the checks (a concurrent writer) becomes a
ValidationError too.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.signals import case_changed
from common import audit
from common.audit import Actor
from common.models import AuditAction
from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from . import selectors
from .models import (
    CASE_TRANSITIONS,
    TEAM_ROLES,
    ActorType,
    Agreement,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    Deliverer,
    DeviationReason,
    DirectorAssignment,
    Escalation,
    EscalationKind,
    FamilyApproach,
    FollowedUp,
    Goal,
    Household,
    HouseholdMembership,
    Intervention,
    InterventionType,
    LowDomainReason,
    MeldingSource,
    MemberRole,
    NetworkAssessment,
    NetworkMember,
    NoGoalReason,
    OtherSubcategory,
    Person,
    Plan,
    PlanStatus,
    Role,
    SafetyOverride,
    StaffMembership,
    Team,
    TeamAction,
)

MSG_FUTURE = "Deze datum ligt in de toekomst."
MSG_OPEN_CASE = "Dit huishouden heeft al een open casus."
MSG_BSN_INVALID = "Dit is geen geldig BSN: het moet uit 9 cijfers bestaan en de elfproef doorstaan."
MSG_BSN_TAKEN = "Er is al een persoon met dit BSN geregistreerd."
MSG_DIRECTOR_NOT_IN_TEAM = "De regisseur moet een actief lid van team {team} zijn (sociaal werker of teamleider)."
TEAM_ROLE_VALUES = frozenset(r.value for r in TEAM_ROLES)


class OpenCaseExists(ValidationError):
    """The household already has an open case; `case` is that case."""

    def __init__(self, case: Case):
        super().__init__(MSG_OPEN_CASE, code="open_case_exists")
        self.case = case


def today() -> dt.date:
    return timezone.localdate()


def _not_in_future(errors: dict, name: str, value: dt.date | None) -> None:
    if value is not None and value > today():
        errors.setdefault(name, []).append(MSG_FUTURE)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Persons and households -----------------------------------------------------------------

@dataclass
class PersonData:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    role: str
    name_prefix: str = ""
    bsn: str | None = None
    living_at_home: bool = True


@dataclass
class HouseholdData:
    postcode: str
    house_number: int
    street: str
    city: str
    house_number_addition: str = ""
    wijk: str = ""
    members: list[PersonData] = field(default_factory=list)


def _validate_person(data: PersonData, prefix: str, errors: dict, seen_bsns: set[str]) -> None:
    if not (data.first_name or "").strip():
        errors.setdefault(f"{prefix}first_name", []).append("Vul de voornaam in.")
    if not (data.last_name or "").strip():
        errors.setdefault(f"{prefix}last_name", []).append("Vul de achternaam in.")
    if data.date_of_birth is None:
        errors.setdefault(f"{prefix}date_of_birth", []).append("Vul de geboortedatum in.")
    else:
        _not_in_future(errors, f"{prefix}date_of_birth", data.date_of_birth)
    if data.role not in MemberRole.values:
        errors.setdefault(f"{prefix}role", []).append("Kies een rol in het huishouden.")
    if data.bsn:
        if not is_valid_bsn(data.bsn):
            errors.setdefault(f"{prefix}bsn", []).append(MSG_BSN_INVALID)
        elif data.bsn in seen_bsns or selectors.person_by_bsn(data.bsn) is not None:
            errors.setdefault(f"{prefix}bsn", []).append(MSG_BSN_TAKEN)
        else:
            seen_bsns.add(data.bsn)


def _validate_household(data: HouseholdData, errors: dict) -> None:
    data.postcode = normalise_postcode(data.postcode)
    try:
        validate_postcode(data.postcode)
    except ValidationError as exc:
        errors.setdefault("postcode", []).extend(exc.messages)
    if not data.house_number or data.house_number < 1:
        errors.setdefault("house_number", []).append("Vul een huisnummer in (1 of hoger).")
    if not (data.street or "").strip():
        errors.setdefault("street", []).append("Vul de straat in.")
    if not (data.city or "").strip():
        errors.setdefault("city", []).append("Vul de plaats in.")


def _create_person(data: PersonData) -> Person:
    return Person.objects.create(
        bsn=data.bsn or None,
        first_name=data.first_name.strip(),
        name_prefix=(data.name_prefix or "").strip(),
        last_name=data.last_name.strip(),
        date_of_birth=data.date_of_birth,
    )


def add_household_member(*, actor: Actor, case: Case, data: PersonData, valid_from: dt.date | None = None) -> Person:
    """Add a new person to the case's household."""
    errors: dict = {}
    _validate_person(data, "", errors, set())
    _not_in_future(errors, "valid_from", valid_from)
    _raise(errors)
    with transaction.atomic():
        try:
            person = _create_person(data)
        except IntegrityError as exc:
            raise ValidationError({"bsn": [MSG_BSN_TAKEN]}) from exc
        HouseholdMembership.objects.create(
            household=case.household, person=person, role=data.role, living_at_home=data.living_at_home,
            valid_from=valid_from or today(),
        )
        _event(case, CaseEventKind.MEMBER, today(), actor, f"{data.role}: {person.full_name}")
        audit.record(actor, AuditAction.CREATE, person, person=person, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return person


# --- Cases ------------------------------------------------------------------------------------

def _acting(actor: Actor) -> tuple[object | None, str]:
    """(user, client name) for the "who" columns of the timeline and director history: a machine client has no
    user account, so its name ("api:<name>") stands in (constraints caseevent_has_actor and
    director_assigned_by_someone)."""
    user = audit._user(actor)
    return user, ("" if user is not None else actor.client)


def _event(case: Case, kind: str, on: dt.date, actor: Actor, description: str = "") -> None:
    user, client = _acting(actor)
    CaseEvent.objects.create(case=case, kind=kind, occurred_on=on, description=description[:500], actor=user,
                             actor_client=client)


def may_direct(membership: StaffMembership, team_id: int, *, open_case: bool = True) -> bool:
    """Whether a team membership may direct (or assess in) a case of the team: a sociaal werker or teamleider
    of that team, still active while the case is open (the import also records closed cases of former members)."""
    return (membership.team_id == team_id and membership.role in TEAM_ROLE_VALUES
            and (membership.active or not open_case))


def _validate_director(errors: dict, team: Team, regisseur: StaffMembership | None, name: str = "regisseur") -> None:
    if regisseur is None:
        errors.setdefault(name, []).append("Kies een regisseur.")
    elif not may_direct(regisseur, team.pk):
        errors.setdefault(name, []).append(MSG_DIRECTOR_NOT_IN_TEAM.format(team=team.name))


def _open_case(*, actor, household, team, melding_date, melding_source, regisseur, safety_flag, reopened_from):
    try:
        with transaction.atomic():
            case = Case.objects.create(
                household=household, team=team, melding_date=melding_date, melding_source=melding_source,
                regisseur=regisseur, safety_flag=safety_flag, reopened_from=reopened_from,
            )
    except IntegrityError as exc:
        existing = selectors.open_case_of(household)
        if existing is not None:
            raise OpenCaseExists(existing) from exc
        raise ValidationError("De casus kon niet worden opgeslagen; probeer het opnieuw.") from exc
    user, client = _acting(actor)
    DirectorAssignment.objects.create(
        case=case, regisseur=regisseur, started_on=melding_date, reason="Eerste toewijzing", assigned_by=user,
        assigned_by_client=client,
    )
    if reopened_from is not None:
        days = (melding_date - reopened_from.closed_on).days
        _event(case, CaseEventKind.REOPENED, melding_date, actor,
               f"Heropend {days} dagen na afsluiting (reden toen: {reopened_from.closure_reason.label})")
    _event(case, CaseEventKind.MELDING, melding_date, actor, f"Bron: {melding_source.label}")
    _event(case, CaseEventKind.DIRECTOR, melding_date, actor, f"Regisseur: {regisseur}")
    audit.record(actor, AuditAction.CREATE, case, case=case)
    case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return case


def register_melding(
    *,
    actor: Actor,
    team: Team,
    melding_date: dt.date,
    melding_source: MeldingSource,
    regisseur: StaffMembership,
    household: Household | None = None,
    new_household: HouseholdData | None = None,
    safety_flag: bool = False,
) -> Case:
    """Register a melding: for an existing household, or a new household with its members.

    Guarantees: at most one open case per household (raises OpenCaseExists naming it); the
    director belongs to the team; a household with a case closed within the reopening window
    gets the new case linked as a reopening; all rows or none.
    """
    errors: dict = {}
    if melding_date is None:
        errors.setdefault("melding_date", []).append("Vul de meldingsdatum in.")
    _not_in_future(errors, "melding_date", melding_date)
    if melding_source is None:
        errors.setdefault("melding_source", []).append("Kies de bron van de melding.")
    _validate_director(errors, team, regisseur)
    if (household is None) == (new_household is None):
        raise ValueError("Pass exactly one of household and new_household.")
    if new_household is not None:
        _validate_household(new_household, errors)
        if not new_household.members:
            errors.setdefault("members", []).append("Voeg minstens één gezinslid toe.")
        seen: set[str] = set()
        for index, member in enumerate(new_household.members):
            _validate_person(member, f"members-{index}-", errors, seen)
    _raise(errors)

    with transaction.atomic():
        if household is not None:
            household = Household.objects.select_for_update().get(pk=household.pk)
            existing = selectors.open_case_of(household)
            if existing is not None:
                raise OpenCaseExists(existing)
            reopened_from = selectors.recently_closed_case(household, melding_date)
        else:
            data = new_household
            household = Household.objects.create(
                postcode=data.postcode, house_number=data.house_number,
                house_number_addition=data.house_number_addition.strip(), street=data.street.strip(),
                city=data.city.strip(), wijk=data.wijk.strip(),
            )
            audit.record(actor, AuditAction.CREATE, household)
            try:
                with transaction.atomic():
                    persons = [_create_person(member) for member in data.members]
            except IntegrityError as exc:
                raise ValidationError({"members-0-bsn": [MSG_BSN_TAKEN]}) from exc
            HouseholdMembership.objects.bulk_create(
                HouseholdMembership(
                    household=household, person=person, role=member.role, living_at_home=member.living_at_home,
                    valid_from=melding_date,
                )
                for person, member in zip(persons, data.members)
            )
            reopened_from = None
        case = _open_case(
            actor=actor, household=household, team=team, melding_date=melding_date, melding_source=melding_source,
            regisseur=regisseur, safety_flag=safety_flag, reopened_from=reopened_from,
        )
        if new_household is not None:
            audit.record_many(actor, AuditAction.CREATE, [(p, p, case) for p in persons])
    return case


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("team", "closure_reason").get(pk=case.pk)


def case_transition_error(current: str, target: str) -> str | None:
    """Why a case may not move from status `current` to `target` (the state machine, CASE_TRANSITIONS), or None."""
    if target in CASE_TRANSITIONS[CaseStatus(current)]:
        return None
    return f"Een casus met status '{CaseStatus(current).label}' kan niet naar '{CaseStatus(target).label}'."


def _transition(case: Case, target: str) -> None:
    message = case_transition_error(case.status, target)
    if message is not None:
        raise ValidationError(message)


def register_first_contact(*, actor: Actor, case: Case, contact_date: dt.date) -> Case:
    """Record the first contact; the case moves to in behandeling."""
    errors: dict = {}
    if contact_date is None:
        errors.setdefault("contact_date", []).append("Vul de datum van het eerste contact in.")
    else:
        _not_in_future(errors, "contact_date", contact_date)
        if contact_date < case.melding_date:
            errors.setdefault("contact_date", []).append("Het eerste contact kan niet vóór de meldingsdatum liggen.")
    _raise(errors)
    with transaction.atomic():
        case = _lock(case)
        if case.first_contact_date is not None:
            raise ValidationError("Het eerste contact is al geregistreerd.")
        _transition(case, CaseStatus.IN_PROGRESS)
        case.first_contact_date = contact_date
        case.status = CaseStatus.IN_PROGRESS
        case.save(update_fields=["first_contact_date", "status", "updated_at"])
        _event(case, CaseEventKind.FIRST_CONTACT, contact_date, actor)
        audit.record(actor, AuditAction.UPDATE, case, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return case


def transfer_director(
    *, actor: Actor, case: Case, regisseur: StaffMembership, reason: str, on: dt.date | None = None
) -> Case:
    """Hand the direction of an open case to another member of its team, with a reason."""
    on = on or today()
    errors: dict = {}
    _validate_director(errors, case.team, regisseur)
    if not (reason or "").strip():
        errors.setdefault("reason", []).append("Geef een reden voor de overdracht.")
    _not_in_future(errors, "on", on)
    if regisseur is not None and regisseur.pk == case.regisseur_id:
        errors.setdefault("regisseur", []).append("Deze medewerker is al de regisseur.")
    _raise(errors)
    with transaction.atomic():
        case = _lock(case)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError("Een afgesloten casus kan niet worden overgedragen.")
        if regisseur.pk == case.regisseur_id:  # checked again under the lock: a concurrent transfer may have won
            raise ValidationError({"regisseur": ["Deze medewerker is al de regisseur."]})
        DirectorAssignment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=on)
        user, client = _acting(actor)
        DirectorAssignment.objects.create(
            case=case, regisseur=regisseur, started_on=on, reason=reason.strip(), assigned_by=user,
            assigned_by_client=client,
        )
        case.regisseur = regisseur
        case.save(update_fields=["regisseur", "updated_at"])
        _event(case, CaseEventKind.TRANSFER, on, actor, f"Naar {regisseur}: {reason.strip()}")
        audit.record(actor, AuditAction.UPDATE, case, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return case


def persons_missing_closing_measurement(case: Case) -> list[str]:
    """When the setting requires it: members measured in this case who lack a finalised afsluiting ZRM."""
    if not settings.WIJKREGIE["ZRM_AFSLUITING_REQUIRED"]:
        return []
    from . import extensions

    missing = extensions.measurements.provider.persons_without_closing_measurement(case.pk)
    return sorted(p.full_name for p in Person.objects.filter(pk__in=missing))


def close_case(*, actor: Actor, case: Case, reason: ClosureReason | None, closed_on: dt.date | None) -> Case:
    """Close a case with a reason from the code list. 'Not registered' is not a reason."""
    errors: dict = {}
    if reason is None:
        errors.setdefault("reason", []).append("Kies een reden van afsluiting.")
    if closed_on is None:
        errors.setdefault("closed_on", []).append("Vul de datum van afsluiting in.")
    else:
        _not_in_future(errors, "closed_on", closed_on)
        if closed_on < case.melding_date:
            errors.setdefault("closed_on", []).append("De afsluitdatum kan niet vóór de meldingsdatum liggen.")
    _raise(errors)
    with transaction.atomic():
        case = _lock(case)
        _transition(case, CaseStatus.CLOSED)
        missing = persons_missing_closing_measurement(case)
        if missing:
            raise ValidationError("Leg eerst een vastgestelde afsluitende ZRM vast voor: " + ", ".join(missing) + ".",
                                  code="closing_measurement_missing")
        case.status = CaseStatus.CLOSED
        case.closed_on = closed_on
        case.closure_reason = reason
        case.save(update_fields=["status", "closed_on", "closure_reason", "updated_at"])
        DirectorAssignment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=closed_on)
        _event(case, CaseEventKind.CLOSED, closed_on, actor, f"Reden: {reason.label}")
        audit.record(actor, AuditAction.UPDATE, case, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return case


def reopen_case(
    *, actor: Actor, case: Case, melding_date: dt.date, melding_source: MeldingSource, regisseur: StaffMembership
) -> Case:
    """Reopen a closed case: a new case for the same household, linked to the closed one."""
    errors: dict = {}
    if melding_date is None:
        errors.setdefault("melding_date", []).append("Vul de meldingsdatum in.")
    else:
        _not_in_future(errors, "melding_date", melding_date)
        if case.closed_on and melding_date < case.closed_on:
            errors.setdefault("melding_date", []).append("De nieuwe melding kan niet vóór de afsluiting liggen.")
    if melding_source is None:
        errors.setdefault("melding_source", []).append("Kies de bron van de melding.")
    _validate_director(errors, case.team, regisseur)
    _raise(errors)
    with transaction.atomic():
        old = _lock(case)
        if old.status != CaseStatus.CLOSED:
            raise ValidationError("Alleen een afgesloten casus kan worden heropend.")
        if Case.objects.filter(reopened_from=old).exists():
            raise ValidationError("Deze casus is al heropend.")
        Household.objects.select_for_update().get(pk=old.household_id)
        existing = selectors.open_case_of(old.household)
        if existing is not None:
            raise OpenCaseExists(existing)
        return _open_case(
            actor=actor, household=old.household, team=old.team, melding_date=melding_date,
            melding_source=melding_source, regisseur=regisseur, safety_flag=old.safety_flag, reopened_from=old,
        )


# --- The plan: goals, agreements, network, family approach -----------------------------------

PLAN_RULES = {
    "no_persons": "Kies minstens één gezinslid voor het plan.",
    "no_zrm": "{person} heeft geen vastgestelde ZRM van ten hoogste {days} dagen oud.",
    "low_domain": "{person}: het domein {domain} scoort {score}, maar heeft geen doel en geen reden waarom niet.",
    "goal_date": "Het doel '{goal}' heeft geen streefdatum.",
    "goal_actor": "Het doel '{goal}' heeft geen verantwoordelijke.",
    "own_effort": "Er is geen afspraak over de eigen inzet van de cliënt of het netwerk.",
    "network": "De netwerkanalyse ontbreekt.",
    "safety": "Bij een veiligheidscasus moeten alle gezinsleden gesproken zijn (of een teamleider legt een "
              "uitzondering vast); nog niet gesproken: {persons}.",
}


def _concept(plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if plan.status != PlanStatus.CONCEPT:
        raise ValidationError("Alleen een plan in concept kan worden gewijzigd.")
    return plan


def _check_covered(errors: dict, case: Case, persons) -> None:
    member_ids = set(case.household.memberships.filter(valid_to__isnull=True).values_list("person_id", flat=True))
    if any(p.pk not in member_ids for p in persons):
        errors.setdefault("covered_persons", []).append("Alleen huidige gezinsleden kunnen in het plan.")


def start_plan(*, actor: Actor, case: Case, covered_persons, own_responsibility: str = "",
               review_date: dt.date | None = None) -> Plan:
    """Start the case's plan, or its next version when the active one has been evaluated.

    Guarantees at most one active (concept or vastgesteld) plan per case; a new version copies the
    open goals, the agreements and the network assessment of the latest evaluated version.
    """
    covered_persons = list(covered_persons)
    errors: dict = {}
    if not covered_persons:
        errors.setdefault("covered_persons", []).append(PLAN_RULES["no_persons"])
    _check_covered(errors, case, covered_persons)
    if review_date is not None and review_date < today():
        errors.setdefault("review_date", []).append("De evaluatiedatum ligt in het verleden.")
    _raise(errors)
    with transaction.atomic():
        case = _lock(case)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError("Een afgesloten casus krijgt geen nieuw plan.")
        if case.plans.exclude(status=PlanStatus.EVALUATED).exists():
            raise ValidationError("Deze casus heeft al een actief plan.")
        previous = case.plans.order_by("-version").first()
        try:
            with transaction.atomic():
                plan = Plan.objects.create(
                    case=case, version=(previous.version + 1) if previous else 1,
                    own_responsibility=own_responsibility.strip(), review_date=review_date,
                )
        except IntegrityError as exc:
            raise ValidationError("Deze casus heeft al een actief plan.") from exc
        plan.covered_persons.set(covered_persons)
        if previous is not None:
            Goal.objects.bulk_create(
                Goal(plan=plan, person_id=g.person_id, domain_id=g.domain_id, description=g.description,
                     target_score=g.target_score, target_date=g.target_date, actor_type=g.actor_type,
                     actor_name=g.actor_name)
                for g in previous.goals.exclude(achieved=True)
            )
            Agreement.objects.bulk_create(
                Agreement(plan=plan, actor_type=a.actor_type, actor_name=a.actor_name, description=a.description,
                          due_date=a.due_date)
                for a in previous.agreements.exclude(followed=FollowedUp.YES)
            )
        _event(case, CaseEventKind.OTHER, today(), actor, f"Plan van aanpak versie {plan.version} gestart")
        audit.record(actor, AuditAction.CREATE, plan, case=case)
    return plan


def update_plan(*, actor: Actor, plan: Plan, covered_persons=None, own_responsibility: str | None = None,
                review_date: dt.date | None = None) -> Plan:
    errors: dict = {}
    if covered_persons is not None:
        covered_persons = list(covered_persons)
        if not covered_persons:
            errors.setdefault("covered_persons", []).append(PLAN_RULES["no_persons"])
        _check_covered(errors, plan.case, covered_persons)
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        if own_responsibility is not None:
            plan.own_responsibility = own_responsibility.strip()
        plan.review_date = review_date if review_date is not None else plan.review_date
        plan.save(update_fields=["own_responsibility", "review_date"])
        if covered_persons is not None:
            plan.covered_persons.set(covered_persons)
        audit.record(actor, AuditAction.UPDATE, plan, case=plan.case)
    return plan


def add_goal(*, actor: Actor, plan: Plan, person: Person, domain, description: str, target_score: int | None = None,
             target_date: dt.date | None = None, actor_type: str = "", actor_name: str = "") -> Goal:
    """Add a goal for a covered person on a ZRM domain. Date and actor may follow before vaststellen."""
    errors: dict = {}
    if not (description or "").strip():
        errors.setdefault("description", []).append("Beschrijf het doel.")
    if target_score is not None and not 1 <= target_score <= 5:
        errors.setdefault("target_score", []).append("De beoogde score ligt tussen 1 en 5.")
    if actor_type and actor_type not in ActorType.values:
        errors.setdefault("actor_type", []).append("Kies wie verantwoordelijk is.")
    if actor_type in (ActorType.NETWORK, ActorType.EXTERNAL) and not (actor_name or "").strip():
        errors.setdefault("actor_name", []).append("Noem de persoon of organisatie die verantwoordelijk is.")
    if domain is None:
        errors.setdefault("domain", []).append("Kies het ZRM-domein van het doel.")
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        if not plan.covered_persons.filter(pk=person.pk).exists():
            raise ValidationError({"person": ["Dit gezinslid valt niet onder het plan."]})
        goal = Goal.objects.create(
            plan=plan, person=person, domain=domain, description=description.strip(), target_score=target_score,
            target_date=target_date, actor_type=actor_type, actor_name=(actor_name or "").strip(),
        )
        audit.record(actor, AuditAction.CREATE, goal, person=person, case=plan.case)
    return goal


def record_low_domain_reason(*, actor: Actor, plan: Plan, person: Person, domain, reason: str,
                             explanation: str = "") -> LowDomainReason:
    """Why a low-scoring domain gets no goal (coded; 'overig' needs a text)."""
    errors: dict = {}
    if reason not in NoGoalReason.values:
        errors.setdefault("reason", []).append("Kies een reden.")
    elif reason == NoGoalReason.OTHER and not (explanation or "").strip():
        errors.setdefault("explanation", []).append("Licht de reden 'overig' toe.")
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        row, _ = LowDomainReason.objects.update_or_create(
            plan=plan, person=person, domain=domain,
            defaults={"reason": reason, "explanation": (explanation or "").strip()},
        )
        audit.record(actor, AuditAction.UPDATE, row, person=person, case=plan.case)
    return row


def add_agreement(*, actor: Actor, plan: Plan, actor_type: str, description: str, due_date: dt.date | None = None,
                  actor_name: str = "") -> Agreement:
    """Who does what by when."""
    errors: dict = {}
    if actor_type not in ActorType.values:
        errors.setdefault("actor_type", []).append("Kies wie de afspraak uitvoert.")
    if not (description or "").strip():
        errors.setdefault("description", []).append("Beschrijf wat er is afgesproken.")
    if due_date is None:
        errors.setdefault("due_date", []).append("Vul in wanneer de afspraak uitgevoerd moet zijn.")
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        agreement = Agreement.objects.create(plan=plan, actor_type=actor_type, actor_name=(actor_name or "").strip(),
                                             description=description.strip(), due_date=due_date)
        audit.record(actor, AuditAction.CREATE, agreement, case=plan.case)
    return agreement


def record_network_assessment(*, actor: Actor, plan: Plan, explored: bool, contacted: bool,
                              contribution_agreed: bool, reason_not_used: str = "") -> NetworkAssessment:
    """The network analysis: explored, contacted, contribution agreed; a reason when the network is not used."""
    if not contribution_agreed and not (reason_not_used or "").strip():
        raise ValidationError({"reason_not_used": ["Geef aan waarom het netwerk niet wordt ingezet."]})
    with transaction.atomic():
        plan = _concept(plan)
        row, _ = NetworkAssessment.objects.update_or_create(
            plan=plan, defaults={"explored": explored, "contacted": contacted,
                                 "contribution_agreed": contribution_agreed,
                                 "reason_not_used": (reason_not_used or "").strip()},
        )
        audit.record(actor, AuditAction.UPDATE, row, case=plan.case)
    return row


def add_network_member(*, actor: Actor, case: Case, name: str, relation: str, supportive: bool = True,
                       agreed_contribution: str = "") -> NetworkMember:
    errors: dict = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append("Vul de naam in.")
    if not (relation or "").strip():
        errors.setdefault("relation", []).append("Vul de relatie tot het huishouden in.")
    _raise(errors)
    with transaction.atomic():
        member = NetworkMember.objects.create(household=case.household, name=name.strip(), relation=relation.strip(),
                                              supportive=supportive, agreed_contribution=agreed_contribution.strip())
        audit.record(actor, AuditAction.CREATE, member, case=case)
    return member


def record_family_approach(*, actor: Actor, case: Case, person: Person, spoken_to: bool, reason_not_spoken: str = "",
                           needs_support: bool = False, receives_support: bool = False) -> FamilyApproach:
    """Per household member: spoken to (a reason when not), needs support, receives support."""
    if not spoken_to and not (reason_not_spoken or "").strip():
        raise ValidationError({"reason_not_spoken": ["Geef aan waarom dit gezinslid niet gesproken is."]})
    if not case.household.memberships.filter(person=person, valid_to__isnull=True).exists():
        raise ValidationError({"person": ["Dit is geen huidig gezinslid."]})
    with transaction.atomic():
        row, _ = FamilyApproach.objects.update_or_create(
            case=case, person=person,
            defaults={"spoken_to": spoken_to, "reason_not_spoken": "" if spoken_to else reason_not_spoken.strip(),
                      "needs_support": needs_support, "receives_support": receives_support},
        )
        audit.record(actor, AuditAction.UPDATE, row, person=person, case=case)
    return row


def record_safety_override(*, actor: Actor, case: Case, reason: str) -> SafetyOverride:
    """A team leader lets a safety case go on although not every member was spoken to."""
    leader = StaffMembership.objects.filter(user=actor.user, team=case.team, role=Role.TEAM_LEADER,
                                            active=True).first()
    if leader is None:
        raise ValidationError("Alleen een teamleider van dit team kan een uitzondering vastleggen.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Geef een reden voor de uitzondering."]})
    with transaction.atomic():
        row, _ = SafetyOverride.objects.update_or_create(
            case=case, defaults={"team_leader": leader, "reason": reason.strip(), "recorded_on": today()}
        )
        _event(case, CaseEventKind.OTHER, today(), actor, f"Uitzondering veiligheid: {reason.strip()}")
        audit.record(actor, AuditAction.UPDATE, row, case=case)
    return row


def plan_finalisation_problems(plan: Plan, on: dt.date | None = None) -> list[str]:
    """Every reason why this plan cannot be vastgesteld on `on`; empty when it can."""
    from . import extensions

    measurements = extensions.measurements.provider
    on = on or today()
    problems: list[str] = []
    max_age = settings.WIJKREGIE["PLAN_ZRM_MAX_AGE_DAYS"]
    low = settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"]
    persons = list(plan.covered_persons.order_by("pk"))
    if not persons:
        problems.append(PLAN_RULES["no_persons"])
    latest = measurements.latest_effective(plan.case_id, [p.pk for p in persons],
                                           measured_from=on - dt.timedelta(days=max_age), measured_to=on)
    person_of = {item.measurement_id: person_id for person_id, item in latest.items()}
    covered_by_goal = set(plan.goals.values_list("person_id", "domain_id"))
    covered_by_reason = set(plan.low_domain_reasons.values_list("person_id", "domain_id"))
    low_scores = sorted(measurements.low_scores(list(person_of), low),
                        key=lambda score: person_of[score.measurement_id])  # by person, then domain order
    names = {p.pk: p.full_name for p in persons}
    for person in persons:
        if person.pk not in latest:
            problems.append(PLAN_RULES["no_zrm"].format(person=person.full_name, days=max_age))
    for score in low_scores:
        key = (person_of[score.measurement_id], score.domain.pk)
        if key not in covered_by_goal and key not in covered_by_reason:
            problems.append(PLAN_RULES["low_domain"].format(
                person=names[person_of[score.measurement_id]], domain=score.domain.name, score=score.score))
    for goal in plan.goals.all():
        if goal.target_date is None:
            problems.append(PLAN_RULES["goal_date"].format(goal=goal.description[:60]))
        if not goal.actor_type:
            problems.append(PLAN_RULES["goal_actor"].format(goal=goal.description[:60]))
    if not plan.agreements.filter(actor_type__in=[ActorType.CLIENT, ActorType.NETWORK]).exists():
        problems.append(PLAN_RULES["own_effort"])
    if not NetworkAssessment.objects.filter(plan=plan).exists():
        problems.append(PLAN_RULES["network"])
    case = plan.case
    if case.safety_flag and not SafetyOverride.objects.filter(case=case).exists():
        spoken = set(FamilyApproach.objects.filter(case=case, spoken_to=True).values_list("person_id", flat=True))
        missing = [m.person.full_name for m in case.household.memberships.filter(valid_to__isnull=True)
                   .select_related("person") if m.person_id not in spoken]
        if missing:
            problems.append(PLAN_RULES["safety"].format(persons=", ".join(missing)))
    return problems


def finalise_plan(*, actor: Actor, plan: Plan, on: dt.date | None = None) -> Plan:
    """Vaststellen: only when every rule holds; otherwise a ValidationError listing each missing item."""
    on = on or today()
    with transaction.atomic():
        plan = _concept(plan)
        problems = plan_finalisation_problems(plan, on)
        if problems:
            raise ValidationError(problems, code="plan_incomplete")
        plan.status = PlanStatus.FINALISED
        plan.finalised_on = on
        plan.finalised_by = actor.user
        plan.save(update_fields=["status", "finalised_on", "finalised_by"])
        _event(plan.case, CaseEventKind.OTHER, on, actor, f"Plan van aanpak versie {plan.version} vastgesteld")
        audit.record(actor, AuditAction.UPDATE, plan, case=plan.case)
        case_changed.send(sender=Case, case_id=plan.case_id)  # after commit: reporting facts and aggregates
    return plan


def evaluate_plan(*, actor: Actor, plan: Plan, evaluation: str, followed: dict[int, str] | None = None,
                  achieved_goal_ids=(), on: dt.date | None = None) -> Plan:
    """Review a vastgesteld plan: agreements followed yes/partly/no, goals achieved; the plan becomes geëvalueerd."""
    on = on or today()
    followed = followed or {}
    if not (evaluation or "").strip():
        raise ValidationError({"evaluation": ["Beschrijf de evaluatie."]})
    if any(value not in FollowedUp.values for value in followed.values()):
        raise ValidationError({"followed": ["Kies per afspraak: ja, deels of nee."]})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("case").get(pk=plan.pk)
        if plan.status != PlanStatus.FINALISED:
            raise ValidationError("Alleen een vastgesteld plan kan worden geëvalueerd.")
        for agreement in plan.agreements.filter(pk__in=followed.keys()):
            agreement.followed = followed[agreement.pk]
            agreement.save(update_fields=["followed"])
        plan.goals.filter(pk__in=list(achieved_goal_ids)).update(achieved=True)
        plan.status = PlanStatus.EVALUATED
        plan.evaluated_on = on
        plan.evaluation = evaluation.strip()
        plan.save(update_fields=["status", "evaluated_on", "evaluation"])
        _event(plan.case, CaseEventKind.OTHER, on, actor, f"Plan van aanpak versie {plan.version} geëvalueerd")
        audit.record(actor, AuditAction.UPDATE, plan, case=plan.case)
    return plan


# --- Interventions and escalations -----------------------------------------------------------

@dataclass
class InterventionData:
    type: InterventionType
    team_action: str
    deliverer: str
    person: Person | None = None
    subcategory: str = ""
    provider: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    would_have_started_without_team: bool | None = None
    monthly_hours: Decimal | None = None
    most_appropriate_type: InterventionType | None = None
    deviation_reason: str = ""
    replaces_type: InterventionType | None = None
    on_waiting_list: bool = False
    bridging_for: Intervention | None = None
    carried_out_at_6_months: bool | None = None


def _validate_intervention(case: Case, data: InterventionData) -> tuple[dict, list[str]]:
    errors: dict = {}
    warnings: list[str] = []
    if data.type is None:
        errors.setdefault("type", []).append("Kies de soort traject.")
    elif data.type.code == "anders" and data.subcategory not in OtherSubcategory.values:
        errors.setdefault("subcategory", []).append("Kies bij 'anders' een subcategorie.")
    if data.team_action not in TeamAction.values:
        errors.setdefault("team_action", []).append("Geef aan of het traject al liep, of door het team is gestart "
                                                    "of gestopt.")
    if data.deliverer not in Deliverer.values:
        errors.setdefault("deliverer", []).append("Geef aan wie het traject uitvoert.")
    _not_in_future(errors, "start_date", data.start_date)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors.setdefault("end_date", []).append("De einddatum ligt vóór de startdatum.")
    if data.team_action == TeamAction.STOPPED and data.end_date is None:
        errors.setdefault("end_date", []).append("Een gestopt traject heeft een einddatum.")
    if data.monthly_hours is not None and data.monthly_hours < 0:
        errors.setdefault("monthly_hours", []).append("Het aantal uren kan niet negatief zijn.")
    if data.monthly_hours is not None and data.deliverer != Deliverer.TEAM:
        errors.setdefault("monthly_hours", []).append("Uren lichte ondersteuning gelden alleen voor het team zelf.")
    cap = settings.WIJKREGIE["LIGHT_SUPPORT_MONTHLY_CAP_HOURS"]
    if data.monthly_hours is not None and data.monthly_hours > cap:
        warnings.append(f"Lichte ondersteuning door het team is begrensd op {cap} uur per maand; "
                        f"hier is {data.monthly_hours} uur geregistreerd.")
    if (data.most_appropriate_type is not None and data.type is not None
            and data.most_appropriate_type.pk != data.type.pk and not data.deviation_reason):
        errors.setdefault("deviation_reason", []).append(
            "De ingezette hulp wijkt af van de meest passende hulp: geef de reden.")
    if data.deviation_reason and data.deviation_reason not in DeviationReason.values:
        errors.setdefault("deviation_reason", []).append("Kies een reden uit de lijst.")
    if data.bridging_for is not None and data.bridging_for.case_id != case.pk:
        errors.setdefault("bridging_for", []).append("Overbrugging kan alleen voor een traject in deze casus.")
    if data.person is not None and not case.household.memberships.filter(person=data.person).exists():
        errors.setdefault("person", []).append("Dit is geen gezinslid van dit huishouden.")
    return errors, warnings


def record_intervention(*, actor: Actor, case: Case, data: InterventionData) -> tuple[Intervention, list[str]]:
    """Register a trajectory. Returns it with warnings (e.g. light support above the monthly cap)."""
    errors, warnings = _validate_intervention(case, data)
    _raise(errors)
    with transaction.atomic():
        intervention = Intervention.objects.create(case=case, **{f: getattr(data, f) for f in _INTERVENTION_FIELDS})
        audit.record(actor, AuditAction.CREATE, intervention, person=data.person, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return intervention, warnings


def update_intervention(*, actor: Actor, intervention: Intervention, data: InterventionData
                        ) -> tuple[Intervention, list[str]]:
    errors, warnings = _validate_intervention(intervention.case, data)
    if data.bridging_for is not None and data.bridging_for.pk == intervention.pk:
        errors.setdefault("bridging_for", []).append("Een traject kan geen overbrugging voor zichzelf zijn.")
    _raise(errors)
    with transaction.atomic():
        for name in _INTERVENTION_FIELDS:
            setattr(intervention, name, getattr(data, name))
        intervention.save()
        audit.record(actor, AuditAction.UPDATE, intervention, person=data.person, case=intervention.case)
        case_changed.send(sender=Case, case_id=intervention.case_id)  # after commit: reporting facts and aggregates
    return intervention, warnings


_INTERVENTION_FIELDS = [f for f in InterventionData.__dataclass_fields__]


def record_escalation(*, actor: Actor, case: Case, kind: str, prevented: bool, date: dt.date,
                      prevented_by: Intervention | None = None, children_count: int | None = None,
                      note: str = "") -> Escalation:
    """An escalation that occurred, or was prevented (optionally by one of the case's interventions)."""
    errors: dict = {}
    if kind not in EscalationKind.values:
        errors.setdefault("kind", []).append("Kies de soort escalatie.")
    if date is None:
        errors.setdefault("date", []).append("Vul de datum in.")
    _not_in_future(errors, "date", date)
    if kind == EscalationKind.UHP and not children_count:
        errors.setdefault("children_count", []).append("Vul bij een uithuisplaatsing het aantal kinderen in.")
    if prevented_by is not None and not prevented:
        errors.setdefault("prevented_by", []).append("Alleen een voorkomen escalatie heeft een voorkomend traject.")
    if prevented_by is not None and prevented_by.case_id != case.pk:
        errors.setdefault("prevented_by", []).append("Kies een traject van deze casus.")
    _raise(errors)
    with transaction.atomic():
        escalation = Escalation.objects.create(
            case=case, kind=kind, prevented=prevented, prevented_by=prevented_by,
            children_count=children_count if kind == EscalationKind.UHP else None, date=date, note=note.strip(),
        )
        audit.record(actor, AuditAction.CREATE, escalation, case=case)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return escalation


# =================================================================================================
# --- Privacy (issue 8): break-the-glass, consent, bemoeizorg, regiecheck, subject access ---------
# =================================================================================================

BREAK_GLASS_MIN_REASON = 20
PURPOSE_REGIECHECK = "regiecheck"
PURPOSE_SUBJECT_ACCESS = "inzageverzoek (AVG art. 15)"
MSG_CONSENT_DUPLICATE = "Er is al een geldige toestemming voor dit doel en deze partnerorganisatie."
MSG_BREAK_GLASS_REASON = (f"Beschrijf waarom u deze casus moet inzien, in minstens {BREAK_GLASS_MIN_REASON} "
                          "tekens.")


def break_glass_purpose(reason: str) -> str:
    """The audit purpose of a break-the-glass access and of every read under it (the column holds 200)."""
    return f"break-the-glass: {reason}"[:200]


def break_the_glass(*, actor: Actor, case: Case, reason: str):
    """Record a worker's reasoned read access to another team's case, valid for BREAK_GLASS_HOURS.

    Guarantees: only sociaal werkers and teamleiders (never gemeente, beheerder, privacy officer or a
    machine client); only for a case of another team; a written reason of at least BREAK_GLASS_MIN_REASON
    characters; one audit row with purpose "break-the-glass: <reason>". The access lets the worker read the
    casus page and its plan versions; writes stay with the case's own team (every write path checks the
    own-team rule through selectors.get_case_for without allow_break_glass).
    """
    from datetime import timedelta

    from django.core.exceptions import PermissionDenied

    from .models import BreakGlassAccess

    user = actor.user
    if actor.client != "web" or not selectors.may_break_glass(user):
        raise PermissionDenied("Alleen sociaal werkers en teamleiders kunnen een casus van een ander team openen.")
    own_teams = selectors.team_ids_of(user)
    if case.team_id in own_teams:
        raise ValidationError("Deze casus hoort bij uw eigen team; daarvoor is geen doorbreking nodig.")
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError({"reason": [MSG_BREAK_GLASS_REASON]})
    requester_team = Team.objects.filter(pk__in=own_teams).order_by("name", "pk").first()
    now = timezone.now()
    with transaction.atomic():
        access = BreakGlassAccess.objects.create(
            user=user, requester_team=requester_team, case=case, reason=reason, at=now,
            valid_until=now + timedelta(hours=settings.WIJKREGIE["BREAK_GLASS_HOURS"]),
        )
        audit.record(actor, AuditAction.CREATE, access, case=case, purpose=break_glass_purpose(reason))
    return access


# --- Consent and bemoeizorg -------------------------------------------------------------------------

def record_consent(*, actor: Actor, case: Case, purpose: str, given_on: dt.date | None,
                   partner_organisation=None, description: str = ""):
    """Record the household's consent for a purpose (and optionally one partner organisation).

    Refuses an unknown purpose, a date in the future, 'overig' without a description, and a second active
    consent for the same purpose and partner organisation.
    """
    from .models import Consent, ConsentPurpose

    errors: dict = {}
    description = (description or "").strip()
    if purpose not in ConsentPurpose.values:
        errors.setdefault("purpose", []).append("Kies het doel van de toestemming.")
    elif purpose == ConsentPurpose.OTHER and not description:
        errors.setdefault("description", []).append("Beschrijf bij 'overig' waarvoor de toestemming geldt.")
    if given_on is None:
        errors.setdefault("given_on", []).append("Vul de datum in waarop de toestemming is gegeven.")
    _not_in_future(errors, "given_on", given_on)
    _raise(errors)
    with transaction.atomic():
        Household.objects.select_for_update().get(pk=case.household_id)  # serialise the duplicate check
        duplicate = Consent.objects.filter(household_id=case.household_id, purpose=purpose,
                                           partner_organisation=partner_organisation, withdrawn_on__isnull=True)
        if purpose == ConsentPurpose.OTHER:  # 'overig' consents differ by what they are for
            duplicate = duplicate.filter(description=description)
        if duplicate.exists():
            raise ValidationError({"purpose": [MSG_CONSENT_DUPLICATE]})
        consent = Consent.objects.create(
            household_id=case.household_id, purpose=purpose, partner_organisation=partner_organisation,
            description=description, given_on=given_on, recorded_by=actor.user,
        )
        label = ConsentPurpose(purpose).label
        _event(case, CaseEventKind.OTHER, given_on, actor,
               f"Toestemming vastgelegd: {label}" + (f" ({partner_organisation.name})" if partner_organisation else ""))
        audit.record(actor, AuditAction.CREATE, consent, case=case)
    return consent


def withdraw_consent(*, actor: Actor, case: Case, consent, withdrawn_on: dt.date | None):
    """The household withdraws a consent: it stays as history with the withdrawal date and who recorded it."""
    from .models import Consent, ConsentPurpose

    errors: dict = {}
    if consent.household_id != case.household_id:
        raise ValidationError("Deze toestemming hoort niet bij dit huishouden.")
    if withdrawn_on is None:
        errors.setdefault("withdrawn_on", []).append("Vul de datum van intrekking in.")
    else:
        _not_in_future(errors, "withdrawn_on", withdrawn_on)
        if withdrawn_on < consent.given_on:
            errors.setdefault("withdrawn_on", []).append("De intrekking kan niet vóór de datum van de toestemming "
                                                         "liggen.")
    _raise(errors)
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_on is not None:
            raise ValidationError("Deze toestemming is al ingetrokken.")
        consent.withdrawn_on = withdrawn_on
        consent.withdrawn_by = actor.user
        consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
        _event(case, CaseEventKind.OTHER, withdrawn_on, actor,
               f"Toestemming ingetrokken: {ConsentPurpose(consent.purpose).label}")
        audit.record(actor, AuditAction.UPDATE, consent, case=case)
    return consent


def record_bemoeizorg(*, actor: Actor, case: Case, reason: str) -> Case:
    """Record (or, with an empty reason, end) bemoeizorg on a case: the recorded reason lets a regiecheck
    share a minimal summary without consent (DOMAIN.md §8)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        case = _lock(case)
        if not reason and not case.bemoeizorg_reason:
            raise ValidationError({"reason": ["Beschrijf de reden voor bemoeizorg."]})
        case.bemoeizorg_reason = reason
        case.save(update_fields=["bemoeizorg_reason", "updated_at"])
        _event(case, CaseEventKind.OTHER, today(), actor,
               f"Bemoeizorg vastgelegd: {reason}" if reason else "Bemoeizorg beëindigd")
        audit.record(actor, AuditAction.UPDATE, case, case=case)
    return case


# --- Regiecheck (DOMAIN.md §8) ----------------------------------------------------------------------

@dataclass
class RegieDirector:
    name: str
    team: str
    organisation: str
    email: str
    phone: str


@dataclass
class RegieSummary:
    """The minimal WHAT information, shared only with consent or under bemoeizorg."""

    status: str
    melding_date: dt.date
    problem_domain_count: int | None
    measured_on: dt.date | None


@dataclass
class RegieInvolvement:
    team: str
    organisations: list[str]
    director: RegieDirector | None
    consent_covers: bool
    shared_basis: str  # "toestemming", "bemoeizorg" or "" (WHO information only)
    summary: RegieSummary | None


@dataclass
class RegiecheckAnswer:
    """`known` False is the one neutral answer for no match and for any partial mismatch (no oracle)."""

    known: bool
    involvements: list[RegieInvolvement] = field(default_factory=list)

    @property
    def organisations(self) -> list[str]:
        return sorted({name for item in self.involvements for name in item.organisations})


def regiecheck(*, actor: Actor, asker, bsn: str, date_of_birth: dt.date, postcode: str, house_number: int,
               house_number_addition: str = "") -> RegiecheckAnswer:
    """Who already holds direction for this person's household: teams, organisations and the director's
    contact details, never case content; a minimal summary (status, melding date, problem domains of the
    latest ZRM) only when the household's active 'informatiedeling' consent names the asker's organisation
    or the case records a bemoeizorg reason.

    BSN, date of birth and address must all match a current household member; anything less gives the
    same neutral answer as no match. Every check is one SEARCH row in the audit log (with the person when
    the BSN matched, for the log only), plus a READ row per case whose summary was shared.
    """
    errors: dict = {}
    bsn = "".join((bsn or "").split())
    if not is_valid_bsn(bsn):
        errors.setdefault("bsn", []).append(MSG_BSN_INVALID)
    if date_of_birth is None:
        errors.setdefault("date_of_birth", []).append("Vul de geboortedatum in.")
    postcode = normalise_postcode(postcode)
    try:
        validate_postcode(postcode)
    except ValidationError as exc:
        errors.setdefault("postcode", []).extend(exc.messages)
    if not house_number or house_number < 1:
        errors.setdefault("house_number", []).append("Vul een huisnummer in (1 of hoger).")
    _raise(errors)

    on = today()
    person, households = selectors.regiecheck_households(bsn, date_of_birth, postcode, house_number,
                                                         house_number_addition)
    cases = selectors.open_cases_with_directors(households) if households else []
    asker_organisations = selectors.organisations_of(asker)
    involvements, shared = [], []
    for case in cases:
        consent = selectors.sharing_consent(case.household_id, asker_organisations, on)
        basis = "toestemming" if consent is not None else ("bemoeizorg" if case.bemoeizorg_reason else "")
        director = None
        organisations = []
        if case.regisseur_id:
            staff = case.regisseur
            organisation = staff.home_organisation.name if staff.home_organisation_id else ""
            if organisation:
                organisations.append(organisation)
            director = RegieDirector(name=staff.user.get_full_name() or staff.user.get_username(),
                                     team=staff.team.name if staff.team_id else "", organisation=organisation,
                                     email=staff.user.email, phone=staff.phone)
        summary = None
        if basis:
            latest = selectors.latest_problem_domain_count(case.pk, person.pk)
            summary = RegieSummary(status=CaseStatus(case.status).label, melding_date=case.melding_date,
                                   measured_on=latest[0] if latest else None,
                                   problem_domain_count=latest[1] if latest else None)
            shared.append((case, basis))
        involvements.append(RegieInvolvement(team=case.team.name, organisations=organisations, director=director,
                                             consent_covers=consent is not None, shared_basis=basis,
                                             summary=summary))
    with transaction.atomic():
        if person is not None:  # the BSN matched: the log names the person (the answer may still be neutral)
            audit.record(actor, AuditAction.SEARCH, households[0] if households else person, person=person,
                         case=cases[0] if cases else None, purpose=PURPOSE_REGIECHECK)
        else:
            audit.record_call(actor, AuditAction.SEARCH, "regiecheck", purpose=PURPOSE_REGIECHECK)
        if shared:
            audit.record_many(actor, AuditAction.READ, [
                (case, person, case) for case, _basis in shared
            ], purpose=f"{PURPOSE_REGIECHECK}: samenvatting gedeeld")
    return RegiecheckAnswer(known=bool(involvements), involvements=involvements)


# --- Subject access (AVG art. 15) ---------------------------------------------------------------

def find_subject(*, actor: Actor, bsn: str) -> Person | None:
    """The person a subject-access request is about, found by BSN (privacy officer only); audited as SEARCH."""
    from django.core.exceptions import PermissionDenied

    if Role.PRIVACY_OFFICER not in selectors.roles_of(actor.user):
        raise PermissionDenied("Alleen de privacy officer behandelt inzageverzoeken.")
    bsn = "".join((bsn or "").split())
    if not is_valid_bsn(bsn):
        raise ValidationError({"bsn": [MSG_BSN_INVALID]})
    person = selectors.person_by_bsn(bsn)
    if person is None:
        audit.record_call(actor, AuditAction.SEARCH, "person", purpose=PURPOSE_SUBJECT_ACCESS)
    else:
        audit.record(actor, AuditAction.SEARCH, person, person=person, purpose=PURPOSE_SUBJECT_ACCESS)
    return person


def export_subject_access(*, actor: Actor, person: Person, fmt: str) -> tuple[bytes, str]:
    """Everything on one person as JSON (audited EXPORT) or PDF (audited PRINT): (content, content type)."""
    from django.core.exceptions import PermissionDenied

    from . import subject_access

    if Role.PRIVACY_OFFICER not in selectors.roles_of(actor.user):
        raise PermissionDenied("Alleen de privacy officer behandelt inzageverzoeken.")
    if fmt not in ("json", "pdf"):
        raise ValidationError({"format": ["Kies JSON of PDF."]})
    data = subject_access.collect(person)
    if fmt == "json":
        content, content_type, action = subject_access.to_json(data), "application/json", AuditAction.EXPORT
    else:
        content, content_type, action = subject_access.to_pdf(data), "application/pdf", AuditAction.PRINT
    audit.record(actor, action, person, person=person, purpose=PURPOSE_SUBJECT_ACCESS)
    return content, content_type


# =================================================================================================
# --- Registration API (issue 6): household address ---------------------------------------------
# =================================================================================================

HOUSEHOLD_ADDRESS_FIELDS = ("postcode", "house_number", "house_number_addition", "street", "city", "wijk")
_ADDRESS_MAX_LENGTHS = {"house_number_addition": 10, "street": 200, "city": 100, "wijk": 100}


def update_household_address(*, actor: Actor, household: Household, case: Case, changes: dict) -> Household:
    """Change a household's address (only the fields in `changes`, keys from HOUSEHOLD_ADDRESS_FIELDS).

    Validated like the melding screen (postcode 1234AB, house number 1 or higher, street and city required);
    every invalid field is reported at once and nothing is saved. `case` is the household's open case the
    change is made in: it gets a timeline event (without the address itself) and the audit row names it.
    """
    unknown = set(changes) - set(HOUSEHOLD_ADDRESS_FIELDS)
    if unknown:
        raise ValueError(f"Not address fields: {sorted(unknown)}")
    values = {name: changes.get(name, getattr(household, name)) for name in HOUSEHOLD_ADDRESS_FIELDS}
    for name in ("house_number_addition", "street", "city", "wijk"):
        values[name] = (values[name] or "").strip()
    errors: dict = {}
    values["postcode"] = normalise_postcode(values["postcode"])
    try:
        validate_postcode(values["postcode"])
    except ValidationError as exc:
        errors.setdefault("postcode", []).extend(exc.messages)
    if not values["house_number"] or values["house_number"] < 1:
        errors.setdefault("house_number", []).append("Vul een huisnummer in (1 of hoger).")
    if not values["street"]:
        errors.setdefault("street", []).append("Vul de straat in.")
    if not values["city"]:
        errors.setdefault("city", []).append("Vul de plaats in.")
    for name, limit in _ADDRESS_MAX_LENGTHS.items():
        if len(values[name]) > limit:
            errors.setdefault(name, []).append(f"Gebruik hoogstens {limit} tekens.")
    _raise(errors)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        changed = [name for name, value in values.items() if getattr(household, name) != value]
        if not changed:
            return household
        for name in changed:
            setattr(household, name, values[name])
        household.save(update_fields=changed)
        _event(case, CaseEventKind.OTHER, today(), actor, "Adres van het huishouden gewijzigd")
        audit.record(actor, AuditAction.UPDATE, household, case=case)
        for case_id in household.cases.values_list("pk", flat=True):
            case_changed.send(sender=Case, case_id=case_id)  # after commit: figures per wijk and postcode area
    return household
