"""Privacy (issue 8), the regiecheck (DOMAIN.md §8): who already holds direction for a person's household."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose
from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from .. import selectors
from ..models import CaseStatus
from .base import MSG_BSN_INVALID, _raise, today

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
            ], purpose=AuditPurpose.REGIECHECK_SUMMARY)
    return RegiecheckAnswer(known=bool(involvements), involvements=involvements)
