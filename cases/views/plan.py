"""Plan van aanpak, network, family approach (issue 4).

The plan section lives on the casus page (case_page._plan_context); every change is one short form on its own
screen (cases/plan_task.html), posted back to the same URL and redirected to the casus page (PRG).
"""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import selectors, services
from ..forms import (
    AgreementForm,
    FamilyApproachForm,
    GoalForm,
    LowDomainReasonForm,
    NetworkAssessmentForm,
    NetworkMemberForm,
    PlanForm,
    SafetyOverrideForm,
    evaluation_form,
    yes_no_initial,
)
from ..models import CaseStatus, FamilyApproach, NetworkAssessment, PlanStatus
from .base import _case_url, _int_param, _posted, _task_page, team_member_required
from .case_page import _case_page


PLAN_NOT_EDITABLE = "Dit plan is niet meer in concept en kan niet worden gewijzigd."


def _concept_plan(request, plan_pk):
    """The plan if it can still be changed; else (plan, a redirect to the casus page with a message)."""
    plan = selectors.get_plan_for(request.user, plan_pk)
    if plan.status != PlanStatus.CONCEPT:
        messages.error(request, PLAN_NOT_EDITABLE)
        return plan, redirect(_case_url(plan.case, "plan"))
    return plan, None


@team_member_required
@require_http_methods(["GET", "POST"])
def plan_start(request, pk):
    case = selectors.get_case_for(request.user, pk)
    if case.status == CaseStatus.CLOSED or case.plans.exclude(status=PlanStatus.EVALUATED).exists():
        messages.error(request, "Deze casus heeft al een actief plan of is afgesloten.")
        return redirect(_case_url(case, "plan"))
    members = list(selectors.current_members(case.household))
    previous = case.plans.order_by("-version").first()
    member_ids = [m.person_id for m in members]
    covered = ([pk for pk in previous.covered_persons.values_list("pk", flat=True) if pk in member_ids]
               if previous else member_ids)
    form = PlanForm(_posted(request), members=members, initial={"covered_persons": covered})
    return _task_page(
        request, case=case, form=form, title="Volgende versie van het plan starten" if previous else "Plan starten",
        intro=("Open doelen en niet nagekomen afspraken van de vorige versie worden overgenomen." if previous else
               "Kies de gezinsleden voor wie het plan geldt. Doelen, afspraken en het netwerk vult u daarna in."),
        button="Plan starten",
        call=lambda actor, data: services.start_plan(
            actor=actor, case=case, covered_persons=data["covered_persons"],
            own_responsibility=data["own_responsibility"], review_date=data["review_date"]),
        success=lambda plan: f"Plan van aanpak versie {plan.version} is gestart.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    members = list(selectors.current_members(plan.case.household))
    initial = {"covered_persons": list(plan.covered_persons.values_list("pk", flat=True)),
               "own_responsibility": plan.own_responsibility, "review_date": plan.review_date}
    form = PlanForm(_posted(request), members=members, initial=initial)
    return _task_page(
        request, case=plan.case, form=form, title=f"Plan versie {plan.version} wijzigen",
        call=lambda actor, data: services.update_plan(
            actor=actor, plan=plan, covered_persons=data["covered_persons"],
            own_responsibility=data["own_responsibility"], review_date=data["review_date"]),
        success="Het plan is bijgewerkt.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def goal_add(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    initial = {"person": _int_param(request, "persoon"), "domain": _int_param(request, "domein")}
    form = GoalForm(_posted(request), plan=plan, domains=selectors.goal_domain_choices(plan), initial=initial)
    return _task_page(
        request, case=plan.case, form=form, title="Doel toevoegen", button="Doel opslaan",
        intro="Een doel hoort bij één gezinslid en één ZRM-domein. Streefdatum en verantwoordelijke zijn nodig om "
              "het plan vast te stellen.",
        call=lambda actor, data: services.add_goal(
            actor=actor, plan=plan, person=data["person"], domain=data["domain"], description=data["description"],
            target_score=data["target_score"], target_date=data["target_date"], actor_type=data["actor_type"],
            actor_name=data["actor_name"]),
        success="Het doel is toegevoegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def low_domain_reason(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    detailed = selectors.plan_with_details(plan.pk)
    low = selectors.plan_low_domains(detailed)
    person_id, domain_id = _int_param(request, "persoon"), _int_param(request, "domein")
    form = LowDomainReasonForm(_posted(request), low_domains=low,
                               initial={"item": f"{person_id}-{domain_id}" if person_id and domain_id else ""})

    def call(actor, data):
        item = form.selected
        return services.record_low_domain_reason(actor=actor, plan=plan, person=item.person, domain=item.domain,
                                                 reason=data["reason"], explanation=data["explanation"])

    return _task_page(
        request, case=plan.case, form=form, title="Reden zonder doel vastleggen", button="Reden opslaan",
        intro="Een domein dat laag scoort krijgt een doel, of een reden waarom niet.",
        call=call, success="De reden is vastgelegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def agreement_add(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    form = AgreementForm(_posted(request))
    return _task_page(
        request, case=plan.case, form=form, title="Afspraak toevoegen", button="Afspraak opslaan",
        intro="Wie doet wat, en wanneer.",
        call=lambda actor, data: services.add_agreement(
            actor=actor, plan=plan, actor_type=data["actor_type"], actor_name=data["actor_name"],
            description=data["description"], due_date=data["due_date"]),
        success="De afspraak is toegevoegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def network_assessment(request, plan_pk):
    plan, refused = _concept_plan(request, plan_pk)
    if refused:
        return refused
    existing = NetworkAssessment.objects.filter(plan=plan).first()
    initial = ({"explored": existing.explored, "contacted": existing.contacted,
                "contribution_agreed": existing.contribution_agreed, "reason_not_used": existing.reason_not_used}
               if existing else {})
    form = NetworkAssessmentForm(_posted(request), initial=initial)
    return _task_page(
        request, case=plan.case, form=form, title="Netwerkanalyse", button="Netwerkanalyse opslaan",
        call=lambda actor, data: services.record_network_assessment(actor=actor, plan=plan, **data),
        success="De netwerkanalyse is opgeslagen.",
    )


@team_member_required
@require_POST
def plan_finalise(request, plan_pk):
    """Vaststellen; when refused, the casus page lists every missing item."""
    plan = selectors.get_plan_for(request.user, plan_pk)
    try:
        services.finalise_plan(actor=Actor.from_request(request), plan=plan)
    except ValidationError as exc:
        return _case_page(request, plan.case, finalise_problems=exc.messages)
    messages.success(request, f"Plan van aanpak versie {plan.version} is vastgesteld.")
    return redirect(_case_url(plan.case, "plan"))


@team_member_required
@require_http_methods(["GET", "POST"])
def plan_evaluate(request, plan_pk):
    plan = selectors.get_plan_for(request.user, plan_pk)
    if plan.status != PlanStatus.FINALISED:
        messages.error(request, "Alleen een vastgesteld plan kan worden geëvalueerd.")
        return redirect(_case_url(plan.case, "plan"))
    form = evaluation_form(selectors.plan_with_details(plan.pk), _posted(request))
    return _task_page(
        request, case=plan.case, form=form, title=f"Plan versie {plan.version} evalueren", button="Evaluatie opslaan",
        intro="Geef per afspraak aan of die is nagekomen en vink de behaalde doelen aan. Daarna kunt u de volgende "
              "versie van het plan starten.",
        call=lambda actor, data: services.evaluate_plan(
            actor=actor, plan=plan, evaluation=data["evaluation"], followed=form.followed(),
            achieved_goal_ids=form.achieved_goal_ids()),
        success="Het plan is geëvalueerd. U kunt nu de volgende versie starten.",
    )


@team_member_required
def plan_detail(request, plan_pk):
    """One version of the plan, read-only (earlier versions included)."""
    plan = selectors.get_plan_for(request.user, plan_pk, allow_break_glass=True)
    detailed = selectors.plan_with_details(plan.pk)
    access = getattr(plan.case, "break_glass", None)
    audit.record(Actor.from_request(request), AuditAction.READ, detailed, case=plan.case,
                 purpose=services.PURPOSE_BREAK_GLASS if access else audit.PURPOSE_CASEWORK)
    return render(request, "cases/plan_detail.html", {
        "case": plan.case, "plan": detailed, "nav": "caseload", "today": services.today(),
        "versions": plan.case.plans.order_by("-version").only("pk", "version", "status", "case_id"),
    })


@team_member_required
@require_http_methods(["GET", "POST"])
def network_member_add(request, pk):
    case = selectors.get_case_for(request.user, pk)
    form = NetworkMemberForm(_posted(request))
    return _task_page(
        request, case=case, form=form, title="Netwerklid toevoegen", button="Netwerklid opslaan", anchor="netwerk",
        intro="Mensen om het huishouden heen: familie, buren, vrienden.",
        call=lambda actor, data: services.add_network_member(actor=actor, case=case, **data),
        success="Het netwerklid is toegevoegd.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def family_approach(request, pk, person_pk):
    case = selectors.get_case_for(request.user, pk)
    membership = next((m for m in selectors.current_members(case.household) if m.person_id == person_pk), None)
    if membership is None:
        raise Http404("Geen huidig gezinslid van deze casus.")
    person = membership.person
    existing = FamilyApproach.objects.filter(case=case, person=person).first()
    initial = ({"spoken_to": yes_no_initial(existing.spoken_to), "reason_not_spoken": existing.reason_not_spoken,
                "needs_support": existing.needs_support, "receives_support": existing.receives_support}
               if existing else {})
    form = FamilyApproachForm(_posted(request), initial=initial)
    return _task_page(
        request, case=case, form=form, title=f"Gezinsgericht werken: {person.full_name}", button="Opslaan",
        anchor="gezin",
        call=lambda actor, data: services.record_family_approach(actor=actor, case=case, person=person, **data),
        success=f"Vastgelegd voor {person.first_name}.",
    )


@team_member_required
@require_http_methods(["GET", "POST"])
def safety_override(request, pk):
    case = selectors.get_case_for(request.user, pk)
    if not selectors.is_team_leader(request.user, case.team_id):
        raise PermissionDenied("Alleen een teamleider van dit team kan een uitzondering vastleggen.")
    form = SafetyOverrideForm(_posted(request))
    return _task_page(
        request, case=case, form=form, title="Uitzondering veiligheid vastleggen", button="Uitzondering vastleggen",
        anchor="gezin",
        intro="Bij een veiligheidscasus moeten alle gezinsleden gesproken zijn voordat het plan wordt vastgesteld, "
              "tenzij u als teamleider een uitzondering vastlegt.",
        call=lambda actor, data: services.record_safety_override(actor=actor, case=case, reason=data["reason"]),
        success="De uitzondering is vastgelegd.",
    )
