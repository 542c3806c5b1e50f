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

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit, selectors
from .audit import Actor
from .models import (
    CASE_TRANSITIONS,
    TEAM_ROLES,
    AuditAction,
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
    Person,
    StaffMembership,
    Team,
)
from .validators import is_valid_bsn, normalise_postcode, validate_postcode

MSG_FUTURE = "Deze datum ligt in de toekomst."
MSG_OPEN_CASE = "Dit huishouden heeft al een open casus."
MSG_BSN_INVALID = "Dit is geen geldig BSN: het moet uit 9 cijfers bestaan en de elfproef doorstaan."
MSG_BSN_TAKEN = "Er is al een persoon met dit BSN geregistreerd."


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
        elif data.bsn in seen_bsns or Person.objects.filter(bsn=data.bsn).exists():
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
    return person


# --- Cases ------------------------------------------------------------------------------------

def _event(case: Case, kind: str, on: dt.date, actor: Actor, description: str = "") -> None:
    CaseEvent.objects.create(case=case, kind=kind, occurred_on=on, description=description[:500], actor=actor.user)


def _validate_director(errors: dict, team: Team, regisseur: StaffMembership | None, name: str = "regisseur") -> None:
    if regisseur is None:
        errors.setdefault(name, []).append("Kies een regisseur.")
    elif (
        regisseur.team_id != team.pk or not regisseur.active or regisseur.role not in [r.value for r in TEAM_ROLES]
    ):
        errors.setdefault(name, []).append(
            f"De regisseur moet een actief lid van team {team.name} zijn (sociaal werker of teamleider)."
        )


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
    DirectorAssignment.objects.create(
        case=case, regisseur=regisseur, started_on=melding_date, reason="Eerste toewijzing", assigned_by=actor.user
    )
    if reopened_from is not None:
        days = (melding_date - reopened_from.closed_on).days
        _event(case, CaseEventKind.REOPENED, melding_date, actor,
               f"Heropend {days} dagen na afsluiting (reden toen: {reopened_from.closure_reason.label})")
    _event(case, CaseEventKind.MELDING, melding_date, actor, f"Bron: {melding_source.label}")
    _event(case, CaseEventKind.DIRECTOR, melding_date, actor, f"Regisseur: {regisseur}")
    audit.record(actor, AuditAction.CREATE, case, case=case)
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


def _transition(case: Case, target: str) -> None:
    if target not in CASE_TRANSITIONS[CaseStatus(case.status)]:
        raise ValidationError(
            f"Een casus met status '{CaseStatus(case.status).label}' kan niet naar '{CaseStatus(target).label}'."
        )


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
        DirectorAssignment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=on)
        DirectorAssignment.objects.create(
            case=case, regisseur=regisseur, started_on=on, reason=reason.strip(), assigned_by=actor.user
        )
        case.regisseur = regisseur
        case.save(update_fields=["regisseur", "updated_at"])
        _event(case, CaseEventKind.TRANSFER, on, actor, f"Naar {regisseur}: {reason.strip()}")
        audit.record(actor, AuditAction.UPDATE, case, case=case)
    return case


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
        case.status = CaseStatus.CLOSED
        case.closed_on = closed_on
        case.closure_reason = reason
        case.save(update_fields=["status", "closed_on", "closure_reason", "updated_at"])
        DirectorAssignment.objects.filter(case=case, ended_on__isnull=True).update(ended_on=closed_on)
        _event(case, CaseEventKind.CLOSED, closed_on, actor, f"Reden: {reason.label}")
        audit.record(actor, AuditAction.UPDATE, case, case=case)
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
