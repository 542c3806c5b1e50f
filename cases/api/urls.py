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
