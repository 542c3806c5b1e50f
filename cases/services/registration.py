"""Registration API (issue 6): changing a household's address."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction
from common.validators import normalise_postcode, validate_postcode

from ..models import Case, CaseEventKind, Household
from ..signals import case_changed
from .base import _event, _raise, today

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
