"""Forms of the cases app. Forms parse and render; services validate business rules. One module per screen
group (the privacy screens' in forms/privacy.py); the public names are re-exported here.

Format checks that need no database (BSN elfproef, postcode shape) run here too, with the same
validators and messages as the services, so a user sees every format error in one round trip.
Everything else (duplicate BSN, dates in the future, a director of another team) comes from the
service and is put back on the fields with `add_service_errors`.
"""
from .base import (
    CHECKBOX_CLASS,
    DATE_INVALID,
    NO,
    YES,
    DateInput,
    DirectorChoiceField,
    StyledFormMixin,
    yes_no_field,
    yes_no_initial,
)
from .melding import (
    MEMBERS_PREFIX,
    BaseMemberFormSet,
    HouseholdForm,
    HouseholdSearchForm,
    MeldingForm,
    MemberForm,
    MemberFormSet,
    member_formset,
    raw_values,
)
from .case_page import AddMemberForm, CloseForm, FirstContactForm, LinkKnownPersonForm, ReopenForm, TransferForm
from .team import TeamFilterForm
from .plan import (
    SCORE_CHOICES,
    AgreementForm,
    EvaluationFormBase,
    FamilyApproachForm,
    GoalForm,
    LowDomainReasonForm,
    NetworkAssessmentForm,
    NetworkMemberForm,
    PlanForm,
    SafetyOverrideForm,
    evaluation_form,
)
from .interventions import EscalationForm, InterventionChoiceField, InterventionForm
