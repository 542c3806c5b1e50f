"""Staff endpoints of the cases app under /api/v1 (kebab-case, no trailing slashes)."""
from django.urls import path

from . import views

urlpatterns = [
    path("casussen/<int:case_id>/plannen", views.CasePlansView.as_view(), name="api-case-plans"),
    path("plannen/<int:pk>", views.PlanDetailView.as_view(), name="api-plan-detail"),
    path("plannen/<int:pk>/vaststellen", views.PlanFinaliseView.as_view(), name="api-plan-finalise"),
    path("plannen/<int:pk>/evalueren", views.PlanEvaluateView.as_view(), name="api-plan-evaluate"),
    path("plannen/<int:pk>/doelen", views.PlanGoalsView.as_view(), name="api-plan-goals"),
    path("plannen/<int:pk>/afspraken", views.PlanAgreementsView.as_view(), name="api-plan-agreements"),
    path("plannen/<int:pk>/redenen-zonder-doel", views.PlanLowDomainReasonsView.as_view(),
         name="api-plan-low-domain-reasons"),
    path("plannen/<int:pk>/netwerkanalyse", views.PlanNetworkAssessmentView.as_view(),
         name="api-plan-network-assessment"),
    path("casussen/<int:case_id>/trajecten", views.CaseInterventionsView.as_view(), name="api-case-interventions"),
    path("trajecten/<int:pk>", views.InterventionDetailView.as_view(), name="api-intervention-detail"),
    path("casussen/<int:case_id>/escalaties", views.CaseEscalationsView.as_view(), name="api-case-escalations"),
]

# Privacy (issue 8): the regiecheck.
from . import privacy

urlpatterns += [
    path("regiecheck", privacy.RegiecheckView.as_view(), name="api-regiecheck"),
]

# Registration (issue 6): households, persons and cases (cases/api/registration.py).
from . import registration

urlpatterns += [
    path("huishoudens", registration.HouseholdListView.as_view(), name="api-households"),
    path("huishoudens/<int:pk>", registration.HouseholdDetailView.as_view(), name="api-household-detail"),
    path("huishoudens/<int:pk>/personen", registration.HouseholdMembersView.as_view(), name="api-household-persons"),
    path("personen/zoeken", registration.PersonSearchView.as_view(), name="api-person-search"),
    path("personen/<int:pk>", registration.PersonDetailView.as_view(), name="api-person-detail"),
    path("casussen", registration.CaseListView.as_view(), name="api-cases"),
    path("casussen/<int:pk>", registration.CaseDetailView.as_view(), name="api-case-detail"),
    path("casussen/<int:pk>/eerste-contact", registration.CaseFirstContactView.as_view(),
         name="api-case-first-contact"),
    path("casussen/<int:pk>/regie-overdragen", registration.CaseTransferView.as_view(), name="api-case-transfer"),
    path("casussen/<int:pk>/afsluiten", registration.CaseCloseView.as_view(), name="api-case-close"),
    path("casussen/<int:pk>/heropenen", registration.CaseReopenView.as_view(), name="api-case-reopen"),
]
