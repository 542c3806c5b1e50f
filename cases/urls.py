from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("mijn-caseload", views.my_caseload, name="my_caseload"),
    path("nieuwe-melding", views.new_melding, name="new_melding"),
    path("team", views.team, name="team"),
    path("<int:pk>", views.case_detail, name="case_detail"),
    path("<int:pk>/eerste-contact", views.case_first_contact, name="case_first_contact"),
    path("<int:pk>/regie-overdragen", views.case_transfer, name="case_transfer"),
    path("<int:pk>/afsluiten", views.case_close, name="case_close"),
    path("<int:pk>/heropenen", views.case_reopen, name="case_reopen"),
    path("<int:pk>/gezinslid-toevoegen", views.case_add_member, name="case_add_member"),
    path("<int:pk>/bekende-persoon-koppelen", views.case_link_person, name="case_link_person"),
]

# The plan, network, family approach, interventions and escalations of a case (issue 4).
urlpatterns += [
    path("<int:pk>/plan/starten", views.plan_start, name="plan_start"),
    path("plannen/<int:plan_pk>", views.plan_detail, name="plan_detail"),
    path("plannen/<int:plan_pk>/wijzigen", views.plan_edit, name="plan_edit"),
    path("plannen/<int:plan_pk>/doelen/nieuw", views.goal_add, name="goal_add"),
    path("plannen/<int:plan_pk>/reden-zonder-doel", views.low_domain_reason, name="low_domain_reason"),
    path("plannen/<int:plan_pk>/afspraken/nieuw", views.agreement_add, name="agreement_add"),
    path("plannen/<int:plan_pk>/netwerkanalyse", views.network_assessment, name="network_assessment"),
    path("plannen/<int:plan_pk>/vaststellen", views.plan_finalise, name="plan_finalise"),
    path("plannen/<int:plan_pk>/evalueren", views.plan_evaluate, name="plan_evaluate"),
    path("<int:pk>/netwerk/nieuw", views.network_member_add, name="network_member_add"),
    path("<int:pk>/gezinsleden/<int:person_pk>/gezinsgericht", views.family_approach, name="family_approach"),
    path("<int:pk>/uitzondering-veiligheid", views.safety_override, name="safety_override"),
    path("<int:pk>/trajecten/nieuw", views.intervention_add, name="intervention_add"),
    path("trajecten/<int:intervention_pk>", views.intervention_edit, name="intervention_edit"),
    path("<int:pk>/escalaties/nieuw", views.escalation_add, name="escalation_add"),
]

# Privacy (issue 8): break-the-glass, consent, bemoeizorg, regiecheck, subject access.
urlpatterns += [
    path("<int:pk>/doorbreken", views.break_glass, name="break_glass"),
    path("team/doorbrekingen", views.break_glass_log, name="break_glass_log"),
    path("<int:pk>/toestemmingen/nieuw", views.consent_add, name="consent_add"),
    path("<int:pk>/toestemmingen/<int:consent_pk>/intrekken", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/bemoeizorg", views.bemoeizorg, name="bemoeizorg"),
    path("regiecheck", views.regiecheck, name="regiecheck"),
    path("inzageverzoek", views.subject_access, name="subject_access"),
]
