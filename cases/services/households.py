"""Persons and households: the data of a new household and its members, and adding a member to a case's household."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction
from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from .. import selectors
from ..models import Case, CaseEventKind, HouseholdMembership, MemberRole, Person
from ..signals import case_changed
from .base import MSG_BSN_INVALID, MSG_BSN_TAKEN, _event, _not_in_future, _raise, today

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
    if data.bsn:  # whether another person holds it is checked only right before writing (_refuse_taken_bsns)
        if not is_valid_bsn(data.bsn):
            errors.setdefault(f"{prefix}bsn", []).append(MSG_BSN_INVALID)
        elif data.bsn in seen_bsns:
            errors.setdefault(f"{prefix}bsn", []).append(MSG_BSN_TAKEN)
        else:
            seen_bsns.add(data.bsn)


def _refuse_taken_bsns(actor: Actor, members: list[tuple[str, PersonData]]) -> None:
    """Refuse the new persons (prefix, data) whose BSN a person in Wijkregie already holds: one person per BSN.

    Called only once everything else validated, right before the write, so a request with any other error
    never tells whether a BSN is known (that is the regiecheck's question, under its rules). The refusal is
    audited: a SEARCH row naming the person the BSN matched. Such a person is linked through the regiecheck
    (link_known_person), never by registering them again.
    """
    taken = {}
    for prefix, data in members:
        person = selectors.person_by_bsn(data.bsn) if data.bsn else None
        if person is not None:
            taken[prefix] = person
    if taken:
        audit.record_many(actor, AuditAction.SEARCH, [(person, person, None) for person in taken.values()])
        raise ValidationError({f"{prefix}bsn": [MSG_BSN_TAKEN] for prefix in taken})


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
    _refuse_taken_bsns(actor, [("", data)])
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
