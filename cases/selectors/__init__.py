"""Reads: who may see what, and the lists the screens show. Every query here is set-based.

One module per subdomain; the public names are re-exported here, so `from cases import selectors` and
`selectors.get_case_for(...)` keep working.
"""
from .access import (
    NeedToKnow,
    active_break_glass,
    active_memberships,
    cases_visible_to,
    directors_for_team,
    get_case_for,
    is_team_leader,
    led_teams,
    may_break_glass,
    membership_for_team,
    organisations_of,
    roles_of,
    team_ids_of,
)
from .households import (
    HOUSEHOLD_TYPE_LABELS,
    age_on,
    case_has_other_open,
    current_members,
    find_households_by_address,
    find_households_by_bsn,
    household_type,
    open_case_of,
    person_by_bsn,
    recently_closed_case,
    search_households,
)
from .caseload import (
    CASELOAD_CASE_FIELDS,
    CASELOAD_MEMBER_FIELDS,
    decorate_for_list,
    my_caseload,
    my_caseload_rows,
    next_due_action,
    team_cases,
)
from .timeline import case_events, director_history, reopened_as
from .plan import (
    LowDomain,
    family_approach_rows,
    get_plan_for,
    goal_domain_choices,
    network_of,
    plan_due_items,
    plan_low_domains,
    plan_with_details,
    plans_of_case,
    safety_override_of,
    with_plan_details,
)
from .interventions import escalations_of, get_intervention_for, intervention_counts_by_type, interventions_of
from .privacy import (
    break_glass_events_for_leader,
    consents_of,
    latest_problem_domain_count,
    open_cases_with_directors,
    regiecheck_households,
    sharing_consent,
)
from .registration import (
    find_person_in_teams,
    get_household_for,
    get_person_for,
    household_case_for_write,
    household_members,
    households_visible_to,
    registration_cases,
)
