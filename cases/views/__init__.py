"""Thin views: parse the request, call a service or selector, render. One module per screen group; the
views are re-exported here for cases/urls.py and config/urls.py.

Personal data never travels in a URL: searches and every write are POSTs; the only GET
parameters (team page filters) are ids and status codes.
"""
from .base import privacy_officer_required, team_member_required
from .home import home, my_caseload
from .melding import HOUSEHOLD_TOKEN_MAX_AGE, HOUSEHOLD_TOKEN_SALT, new_melding
from .case_page import (
    case_add_member,
    case_close,
    case_detail,
    case_first_contact,
    case_link_person,
    case_reopen,
    case_transfer,
)
from .team import BREAK_GLASS_LOG_PAGE_SIZE, BREAK_GLASS_ON_TEAM_PAGE, break_glass_log, team
from .plan import (
    PLAN_NOT_EDITABLE,
    agreement_add,
    family_approach,
    goal_add,
    low_domain_reason,
    network_assessment,
    network_member_add,
    plan_detail,
    plan_edit,
    plan_evaluate,
    plan_finalise,
    plan_start,
    safety_override,
)
from .interventions import escalation_add, intervention_add, intervention_edit
from .privacy import (
    SUBJECT_TOKEN_MAX_AGE,
    SUBJECT_TOKEN_SALT,
    bemoeizorg,
    break_glass,
    consent_add,
    consent_withdraw,
    regiecheck,
    subject_access,
)
