"""The plan, interventions and escalations through their services (issue: one plan per household)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from cases import selectors, services
from cases.models import Case, InterventionType, Plan, PlanStatus
from common.audit import Actor
from tests.factories import StaffFactory
from tests.zrm.factories import all_scores, case_with_adult, domain, record

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def itype(code):
    return InterventionType.objects.get(code=code)


@pytest.fixture
def setting():
    """A case whose adult has a finalised ZRM 2017 with Financiën 2 and Huisvesting 3 (the rest 4)."""
    case, adult = case_with_adult(melding_date=TODAY - dt.timedelta(days=20))
    scores = all_scores(4)
    scores.update({"financien": 2, "huisvesting": 3})
    record(case, adult, scores=scores, date=TODAY - dt.timedelta(days=5), version_code="zrm-2017")
    actor = Actor(user=case.regisseur.user)
    plan = services.start_plan(actor=actor, case=case, covered_persons=[adult])
    return case, adult, actor, plan


def complete(plan, adult, actor):
    """Everything the finalisation rules ask for."""
    services.add_goal(actor=actor, plan=plan, person=adult, domain=domain("zrm-2017", "financien"),
                      description="Schulden in beeld en een budgetplan", target_score=3,
                      target_date=TODAY + dt.timedelta(days=90), actor_type="medewerker")
    services.record_low_domain_reason(actor=actor, plan=plan, person=adult, domain=domain("zrm-2017", "huisvesting"),
                                      reason="andere_instantie")
    services.add_agreement(actor=actor, plan=plan, actor_type="client", description="Post openen met de buurvrouw",
                           due_date=TODAY + dt.timedelta(days=14))
    services.record_network_assessment(actor=actor, plan=plan, explored=True, contacted=True,
                                       contribution_agreed=True)


def test_a_complete_plan_is_finalised(setting):
    case, adult, actor, plan = setting
    complete(plan, adult, actor)
    assert services.plan_finalisation_problems(plan) == []
    plan = services.finalise_plan(actor=actor, plan=plan)
    assert plan.status == PlanStatus.FINALISED and plan.finalised_on == TODAY


def test_each_missing_item_alone_blocks_finalising_with_its_own_message(setting):
    case, adult, actor, plan = setting
    complete(plan, adult, actor)
    checks = [
        (lambda: plan.low_domain_reasons.all().delete(), "Huisvesting scoort 3"),
        (lambda: plan.goals.update(target_date=None), "heeft geen streefdatum"),
        (lambda: plan.goals.update(actor_type=""), "heeft geen verantwoordelijke"),
        (lambda: plan.agreements.update(actor_type="medewerker"), "eigen inzet"),
        (lambda: plan.network_assessment.delete(), "netwerkanalyse ontbreekt"),
    ]
    for breaks, message in checks:
        with transaction.atomic():
            breaks()
            with pytest.raises(ValidationError) as exc:
                services.finalise_plan(actor=actor, plan=Plan.objects.get(pk=plan.pk))
            assert len(exc.value.messages) == 1, exc.value.messages
            assert message in exc.value.messages[0]
            transaction.set_rollback(True)
    assert services.plan_finalisation_problems(Plan.objects.get(pk=plan.pk)) == []


def test_a_zrm_older_than_the_setting_blocks_finalising(setting):
    case, adult, actor, plan = setting
    complete(plan, adult, actor)
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "PLAN_ZRM_MAX_AGE_DAYS": 3}):
        problems = services.plan_finalisation_problems(plan)
    assert len(problems) == 1 and "geen vastgestelde ZRM van ten hoogste 3 dagen" in problems[0]


def test_without_any_zrm_every_covered_person_is_named(setting):
    case, adult, actor, plan = setting
    from tests.factories import MembershipFactory

    partner = MembershipFactory(household=case.household, role="partner").person
    services.update_plan(actor=actor, plan=plan, covered_persons=[adult, partner])
    complete(plan, adult, actor)
    problems = services.plan_finalisation_problems(plan)
    assert problems == [f"{partner.full_name} heeft geen vastgestelde ZRM van ten hoogste 30 dagen oud."]


def test_all_problems_are_listed_at_once(setting):
    case, adult, actor, plan = setting
    problems = services.plan_finalisation_problems(plan)
    assert len(problems) == 4  # two low domains, no own-effort agreement, no network assessment


def test_a_safety_case_needs_every_member_spoken_to_unless_a_team_leader_overrides(setting):
    case, adult, actor, plan = setting
    Case.objects.filter(pk=case.pk).update(safety_flag=True)
    complete(plan, adult, actor)
    problems = services.plan_finalisation_problems(Plan.objects.get(pk=plan.pk))
    assert len(problems) == 1 and "alle gezinsleden gesproken" in problems[0]
    services.record_family_approach(actor=actor, case=case, person=adult, spoken_to=True)
    assert services.plan_finalisation_problems(Plan.objects.get(pk=plan.pk)) == []


def test_only_a_team_leader_of_the_team_can_record_the_safety_override(setting):
    case, adult, actor, plan = setting
    Case.objects.filter(pk=case.pk).update(safety_flag=True)
    complete(plan, adult, actor)
    with pytest.raises(ValidationError, match="Alleen een teamleider"):
        services.record_safety_override(actor=actor, case=case, reason="Gesprek met kind niet veilig")
    leader = StaffFactory(leader=True, team=case.team)
    services.record_safety_override(actor=Actor(user=leader.user), case=case, reason="Gesprek met kind niet veilig")
    assert services.plan_finalisation_problems(Plan.objects.get(pk=plan.pk)) == []


def test_family_approach_needs_a_reason_when_a_member_was_not_spoken_to(setting):
    case, adult, actor, plan = setting
    with pytest.raises(ValidationError) as exc:
        services.record_family_approach(actor=actor, case=case, person=adult, spoken_to=False)
    assert "waarom dit gezinslid niet gesproken" in exc.value.message_dict["reason_not_spoken"][0]


def test_one_active_plan_per_case_in_the_service_and_the_database(setting):
    case, adult, actor, plan = setting
    with pytest.raises(ValidationError, match="al een actief plan"):
        services.start_plan(actor=actor, case=case, covered_persons=[adult])
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(case=case, version=2)


def test_an_evaluated_plan_gives_way_to_a_next_version_with_open_goals(setting):
    case, adult, actor, plan = setting
    complete(plan, adult, actor)
    services.finalise_plan(actor=actor, plan=plan)
    agreement = plan.agreements.get()
    services.evaluate_plan(actor=actor, plan=plan, evaluation="Budgetplan loopt", followed={agreement.pk: "deels"})
    agreement.refresh_from_db()
    assert agreement.followed == "deels"
    second = services.start_plan(actor=actor, case=case, covered_persons=[adult])
    assert second.version == 2 and second.goals.count() == 1 and second.agreements.count() == 1
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.EVALUATED


def test_a_finalised_plan_cannot_be_changed(setting):
    case, adult, actor, plan = setting
    complete(plan, adult, actor)
    services.finalise_plan(actor=actor, plan=plan)
    with pytest.raises(ValidationError, match="concept"):
        services.add_agreement(actor=actor, plan=plan, actor_type="client", description="x", due_date=TODAY)


def test_intervention_counts_per_type_and_team_action(setting):
    case, adult, actor, plan = setting
    D = services.InterventionData
    services.record_intervention(actor=actor, case=case, data=D(type=itype("schuldhulpverlening"),
                                 team_action="gestart", deliverer="extern", start_date=TODAY))
    services.record_intervention(actor=actor, case=case, data=D(type=itype("schuldhulpverlening"),
                                 team_action="lopend", deliverer="extern", start_date=TODAY - dt.timedelta(days=300)))
    services.record_intervention(actor=actor, case=case, data=D(type=itype("ggz_ambulant"), team_action="gestopt",
                                 deliverer="extern", start_date=TODAY - dt.timedelta(days=300), end_date=TODAY))
    services.record_intervention(actor=actor, case=case, data=D(type=itype("ggz_ambulant"), team_action="gestart",
                                 deliverer="team", monthly_hours=Decimal("4")))
    counts = selectors.intervention_counts_by_type(Case.objects.filter(pk=case.pk))
    assert counts == {
        "schuldhulpverlening": {"lopend": 1, "gestart": 1, "gestopt": 0},
        "ggz_ambulant": {"lopend": 0, "gestart": 1, "gestopt": 1},
    }


def test_intervention_rules(setting):
    case, adult, actor, plan = setting
    D = services.InterventionData
    cases = [
        (D(type=itype("anders"), team_action="gestart", deliverer="team"), "subcategory"),
        (D(type=itype("ggz_ambulant"), team_action="gestopt", deliverer="extern"), "end_date"),
        (D(type=itype("ggz_ambulant"), team_action="gestart", deliverer="extern",
           most_appropriate_type=itype("verslavingszorg")), "deviation_reason"),
        (D(type=itype("ggz_ambulant"), team_action="gestart", deliverer="extern", monthly_hours=Decimal(2)),
         "monthly_hours"),
        (D(type=itype("ggz_ambulant"), team_action="gestart", deliverer="extern",
           start_date=TODAY + dt.timedelta(days=1)), "start_date"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.record_intervention(actor=actor, case=case, data=data)
        assert field in exc.value.message_dict
    assert case.interventions.count() == 0


def test_light_support_above_the_monthly_cap_warns_but_saves(setting):
    case, adult, actor, plan = setting
    intervention, warnings = services.record_intervention(
        actor=actor, case=case, data=services.InterventionData(
            type=itype("maatschappelijke_dienstverlening"), team_action="gestart", deliverer="team",
            monthly_hours=Decimal("10")))
    assert intervention.pk and len(warnings) == 1 and "8 uur per maand" in warnings[0]


def test_escalations_prevented_by_an_intervention_and_uhp_children(setting):
    case, adult, actor, plan = setting
    intervention, _ = services.record_intervention(actor=actor, case=case, data=services.InterventionData(
        type=itype("schuldhulpverlening"), team_action="gestart", deliverer="extern"))
    escalation = services.record_escalation(actor=actor, case=case, kind="huisuitzetting", prevented=True,
                                            prevented_by=intervention, date=TODAY)
    assert escalation.prevented_by == intervention
    with pytest.raises(ValidationError) as exc:
        services.record_escalation(actor=actor, case=case, kind="uhp", prevented=False, date=TODAY)
    assert "aantal kinderen" in exc.value.message_dict["children_count"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_escalation(actor=actor, case=case, kind="ots", prevented=False, prevented_by=intervention,
                                   date=TODAY)
    assert "prevented_by" in exc.value.message_dict


def test_closing_requires_an_afsluiting_zrm_when_the_setting_says_so(setting):
    from tests.factories import closure_reason

    case, adult, actor, plan = setting
    with override_settings(WIJKREGIE={**settings.WIJKREGIE, "ZRM_AFSLUITING_REQUIRED": True}):
        with pytest.raises(ValidationError, match="afsluitende ZRM"):
            services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=TODAY)
        record(case, adult, scores=all_scores(4), type="afsluiting", version_code="zrm-2017")
        services.close_case(actor=actor, case=case, reason=closure_reason(), closed_on=TODAY)
    assert Case.objects.get(pk=case.pk).status == "afgesloten"
