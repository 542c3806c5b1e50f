"""Teams, staff, households, persons and cases.

Invariants that matter are database constraints and triggers (see the Meta classes; the triggers are
declared with django-pgtrigger and installed by the migrations) as well as checks in cases/services/.

One module per subdomain; every model and public name is re-exported here, so `from cases.models import Case`
keeps working. The modules are imported in dependency order, which is also the order the models were declared in.
"""
from .organisation import (
    TEAM_ROLES,
    ClosureReason,
    CodeList,
    MeldingSource,
    Organisation,
    Role,
    StaffMembership,
    Team,
)
from .household import Household, HouseholdMembership, MemberRole, Person
from .case import (
    CASE_TRANSITIONS,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DirectorAssignment,
    StateMachineTrigger,
)
from .plan import (
    ActorType,
    Agreement,
    FamilyApproach,
    FollowedUp,
    Goal,
    LowDomainReason,
    NetworkAssessment,
    NetworkMember,
    NoGoalReason,
    Plan,
    PlanStatus,
    SafetyOverride,
)
from .intervention import (
    Deliverer,
    DeviationReason,
    Escalation,
    EscalationKind,
    Intervention,
    InterventionType,
    OtherSubcategory,
    TeamAction,
)
from .privacy import BreakGlassAccess, Consent, ConsentPurpose
