"""The small hand-built demo data set (`seed_demo`, scale `demo`): plan.py plans, load.py writes.

The public names are re-exported here, so callers write `from demo import small` and
`small.seed(...)`, `small.DEMO_PASSWORD`, `small.plan_staff(...)`.
"""
from .load import (
    AUDIT_PURPOSE,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_URL,
    DemoDataExists,
    Summary,
    demo_users,
    has_data,
    seed,
)
from .plan import (
    DEFAULT_SEED,
    SCALES,
    CasePlan,
    HouseholdPlan,
    PersonPlan,
    Scale,
    StaffPlan,
    TeamSpec,
    plan_households,
    plan_staff,
)

__all__ = [
    "AUDIT_PURPOSE", "DEFAULT_SEED", "DEMO_EMAIL_DOMAIN", "DEMO_PASSWORD", "DEMO_URL", "SCALES", "CasePlan",
    "DemoDataExists", "HouseholdPlan", "PersonPlan", "Scale", "StaffPlan", "Summary", "TeamSpec", "demo_users",
    "has_data", "plan_households", "plan_staff", "seed",
]
