"""Every write in the cases app: one function per use case.

Each service validates its input, runs in one transaction (nothing is half-saved), writes the
case timeline and the audit log, and raises django.core.exceptions.ValidationError with a
Dutch message keyed by field when input is wrong. The database constraints back the same rules
up; an IntegrityError that slips past the checks (a concurrent writer) becomes a
ValidationError too.

One module per subdomain; the names callers use are re-exported here, so `from cases import services`
and `services.close_case(...)` keep working. To patch a name a service looks up, patch it in the module
that uses it (e.g. `cases.services.cases._event`). `services.regiecheck` is the function, not its module.
"""
from common.audit import Actor  # callers build the actor from here too

from .base import (
    MSG_BSN_INVALID,
    MSG_BSN_TAKEN,
    MSG_DIRECTOR_NOT_IN_TEAM,
    MSG_FUTURE,
    MSG_OPEN_CASE,
    OpenCaseExists,
    _event,
    today,
)
from .households import HouseholdData, PersonData, add_household_member
from .cases import (
    TEAM_ROLE_VALUES,
    case_transition_error,
    close_case,
    may_direct,
    persons_missing_closing_measurement,
    register_first_contact,
    register_melding,
    reopen_case,
    transfer_director,
)
from .plan import (
    PLAN_RULES,
    add_agreement,
    add_goal,
    add_network_member,
    evaluate_plan,
    finalise_plan,
    plan_finalisation_problems,
    record_family_approach,
    record_low_domain_reason,
    record_network_assessment,
    record_safety_override,
    start_plan,
    update_plan,
)
from .interventions import (
    InterventionData,
    _validate_intervention,
    record_escalation,
    record_intervention,
    update_intervention,
)
from .break_glass import BREAK_GLASS_MIN_REASON, MSG_BREAK_GLASS_REASON, PURPOSE_BREAK_GLASS, break_the_glass
from .consent import MSG_CONSENT_DUPLICATE, record_bemoeizorg, record_consent, withdraw_consent
from .regiecheck import (
    MSG_LINK_ALREADY_MEMBER,
    MSG_LINK_NO_MATCH,
    PURPOSE_REGIECHECK,
    RegieDirector,
    RegieInvolvement,
    RegiecheckAnswer,
    RegieSummary,
    link_known_person,
    regiecheck,
)
from .subject_access import PURPOSE_SUBJECT_ACCESS, export_subject_access, find_subject
from .registration import HOUSEHOLD_ADDRESS_FIELDS, update_household_address
