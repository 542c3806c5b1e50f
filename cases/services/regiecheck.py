"""Privacy (issue 8), the regiecheck (DOMAIN.md §8): who already holds direction for a person's household."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose
from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from .. import selectors
from ..models import Case, CaseEventKind, CaseStatus, Household, HouseholdMembership, MemberRole, Person
from ..signals import case_changed
from .base import MSG_BSN_INVALID, _event, _not_in_future, _raise, today

PURPOSE_REGIECHECK = AuditPurpose.REGIECHECK.value


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


def _check_lookup(errors: dict, bsn: str, date_of_birth, postcode: str, house_number) -> tuple[str, str]:
    """The regiecheck's input: a valid BSN, a date of birth, a postcode and a house number (normalised)."""
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
    return bsn, postcode


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
    bsn, postcode = _check_lookup(errors, bsn, date_of_birth, postcode, house_number)
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
            ], purpose=AuditPurpose.REGIECHECK_SUMMARY)
    return RegiecheckAnswer(known=bool(involvements), involvements=involvements)


# --- The hand-over: linking a person another team registered --------------------------------------------------

MSG_LINK_NO_MATCH = ("Er is geen persoon gevonden bij wie BSN, geboortedatum en adres alle drie kloppen. Gebruik het "
                     "adres van het huishouden waar de persoon nu bij hoort, zoals bij de regiecheck.")
MSG_LINK_ALREADY_MEMBER = "Deze persoon is al lid van dit huishouden."


def link_known_person(*, actor: Actor, case: Case, bsn: str, date_of_birth: dt.date, postcode: str,
                      house_number: int, house_number_addition: str = "", role: str, living_at_home: bool = True,
                      valid_from: dt.date | None = None) -> Person:
    """Make a person whom Wijkregie already holds (for another team, say) a member of this case's household: the
    hand-over after a regiecheck. The only way to link an existing person; the import and the melding refuse
    a BSN that is taken.

    Guarantees: the actor is a team member of the case's team (web; the view checked need-to-know too); the
    same proof as the regiecheck: BSN, date of birth and the address of a household the person now belongs to
    must all match, and anything less gives one neutral refusal (no oracle); no second current membership of
    the same household; audited: a SEARCH row as the regiecheck writes it, and on success a CREATE row for the
    membership naming the person and the case (purpose "regiecheck: persoon gekoppeld"); a timeline entry.
    The person's other memberships stay: the household they came from is the other team's to update.
    """
    if actor.client != "web" or case.team_id not in selectors.team_ids_of(actor.user):
        raise PermissionDenied("Alleen het team van de casus kan een persoon aan dit huishouden koppelen.")
    errors: dict = {}
    bsn, postcode = _check_lookup(errors, bsn, date_of_birth, postcode, house_number)
    if role not in MemberRole.values:
        errors.setdefault("role", []).append("Kies een rol in het huishouden.")
    _not_in_future(errors, "valid_from", valid_from)
    _raise(errors)

    person, households = selectors.regiecheck_households(bsn, date_of_birth, postcode, house_number,
                                                         house_number_addition)
    if not households:
        if person is not None:  # the BSN matched: the log names the person, the answer does not
            audit.record(actor, AuditAction.SEARCH, person, person=person, case=case, purpose=PURPOSE_REGIECHECK)
        else:
            audit.record_call(actor, AuditAction.SEARCH, "regiecheck", purpose=PURPOSE_REGIECHECK)
        raise ValidationError({"bsn": [MSG_LINK_NO_MATCH]})
    audit.record(actor, AuditAction.SEARCH, households[0], person=person, case=case, purpose=PURPOSE_REGIECHECK)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=case.household_id)
        if household.memberships.filter(person=person, valid_to__isnull=True).exists():
            raise ValidationError({"bsn": [MSG_LINK_ALREADY_MEMBER]})
        membership = HouseholdMembership.objects.create(
            household=household, person=person, role=role, living_at_home=living_at_home,
            valid_from=valid_from or today(),
        )
        _event(case, CaseEventKind.MEMBER, today(), actor, f"{role}: {person.full_name} (gekoppeld na regiecheck)")
        audit.record(actor, AuditAction.CREATE, membership, person=person, case=case,
                     purpose=AuditPurpose.REGIECHECK_LINK)
        case_changed.send(sender=Case, case_id=case.pk)  # after commit: reporting facts and aggregates
    return person
