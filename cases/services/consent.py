"""Privacy (issue 8): the household's consents, and bemoeizorg (care without consent)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction

from ..models import Case, CaseEventKind, Consent, ConsentPurpose, Household
from .base import _event, _lock, _not_in_future, _raise, today

MSG_CONSENT_DUPLICATE = "Er is al een geldige toestemming voor dit doel en deze partnerorganisatie."


def record_consent(*, actor: Actor, case: Case, purpose: str, given_on: dt.date | None,
                   partner_organisation=None, description: str = ""):
    """Record the household's consent for a purpose (and optionally one partner organisation).

    Refuses an unknown purpose, a date in the future, 'overig' without a description, and a second active
    consent for the same purpose and partner organisation.
    """
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
