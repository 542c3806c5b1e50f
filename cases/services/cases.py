"""Cases: the melding, first contact, director transfer, closing and reopening, along the case state machine."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import extensions, selectors
from ..models import (
    CASE_TRANSITIONS,
    TEAM_ROLES,
    Case,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    MeldingSource,
    Person,
    StaffMembership,
    Team,
)
from ..signals import case_changed
from .base import (
    MSG_BSN_TAKEN,
    MSG_DIRECTOR_NOT_IN_TEAM,
    OpenCaseExists,
    _acting,
    _event,
    _lock,
    _not_in_future,
    _raise,
    today,
)
from .households import HouseholdData, _create_person, _refuse_taken_bsns, _validate_household, _validate_person

TEAM_ROLE_VALUES = frozenset(r.value for r in TEAM_ROLES)


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
    if new_household is not None:
        _refuse_taken_bsns(actor, [(f"members-{index}-", member) for index, member in enumerate(new_household.members)])

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
