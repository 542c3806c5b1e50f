"""The plan of approach: goals, agreements, network, family approach, safety override, vaststellen and evaluating."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common import audit
from common.audit import Actor
from common.models import AuditAction

from .. import extensions
from ..models import (
    ActorType,
    Agreement,
    Case,
    CaseEventKind,
    CaseStatus,
    FamilyApproach,
    FollowedUp,
    Goal,
    LowDomainReason,
    NetworkAssessment,
    NetworkMember,
    NoGoalReason,
    Person,
    Plan,
    PlanStatus,
    Role,
    SafetyOverride,
    StaffMembership,
)
from ..signals import case_changed
from .base import _event, _lock, _raise, today

PLAN_RULES = {
    "no_persons": "Kies minstens één gezinslid voor het plan.",
    "no_zrm": "{person} heeft geen vastgestelde ZRM van ten hoogste {days} dagen oud.",
    "low_domain": "{person}: het domein {domain} scoort {score}, maar heeft geen doel en geen reden waarom niet.",
    "goal_date": "Het doel '{goal}' heeft geen streefdatum.",
    "goal_actor": "Het doel '{goal}' heeft geen verantwoordelijke.",
    "own_effort": "Er is geen afspraak over de eigen inzet van de cliënt of het netwerk.",
    "network": "De netwerkanalyse ontbreekt.",
    "safety": "Bij een veiligheidscasus moeten alle gezinsleden gesproken zijn (of een teamleider legt een "
              "uitzondering vast); nog niet gesproken: {persons}.",
}


def _concept(plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    if plan.status != PlanStatus.CONCEPT:
        raise ValidationError("Alleen een plan in concept kan worden gewijzigd.")
    return plan


def _check_covered(errors: dict, case: Case, persons) -> None:
    member_ids = set(case.household.memberships.filter(valid_to__isnull=True).values_list("person_id", flat=True))
    if any(p.pk not in member_ids for p in persons):
        errors.setdefault("covered_persons", []).append("Alleen huidige gezinsleden kunnen in het plan.")


def start_plan(*, actor: Actor, case: Case, covered_persons, own_responsibility: str = "",
               review_date: dt.date | None = None) -> Plan:
    """Start the case's plan, or its next version when the active one has been evaluated.

    Guarantees at most one active (concept or vastgesteld) plan per case; a new version copies the
    open goals, the agreements and the network assessment of the latest evaluated version.
    """
    covered_persons = list(covered_persons)
    errors: dict = {}
    if not covered_persons:
        errors.setdefault("covered_persons", []).append(PLAN_RULES["no_persons"])
    _check_covered(errors, case, covered_persons)
    if review_date is not None and review_date < today():
        errors.setdefault("review_date", []).append("De evaluatiedatum ligt in het verleden.")
    _raise(errors)
    with transaction.atomic():
        case = _lock(case)
        if case.status == CaseStatus.CLOSED:
            raise ValidationError("Een afgesloten casus krijgt geen nieuw plan.")
        if case.plans.exclude(status=PlanStatus.EVALUATED).exists():
            raise ValidationError("Deze casus heeft al een actief plan.")
        previous = case.plans.order_by("-version").first()
        try:
            with transaction.atomic():
                plan = Plan.objects.create(
                    case=case, version=(previous.version + 1) if previous else 1,
                    own_responsibility=own_responsibility.strip(), review_date=review_date,
                )
        except IntegrityError as exc:
            raise ValidationError("Deze casus heeft al een actief plan.") from exc
        plan.covered_persons.set(covered_persons)
        if previous is not None:
            Goal.objects.bulk_create(
                Goal(plan=plan, person_id=g.person_id, domain_id=g.domain_id, description=g.description,
                     target_score=g.target_score, target_date=g.target_date, actor_type=g.actor_type,
                     actor_name=g.actor_name)
                for g in previous.goals.exclude(achieved=True)
            )
            Agreement.objects.bulk_create(
                Agreement(plan=plan, actor_type=a.actor_type, actor_name=a.actor_name, description=a.description,
                          due_date=a.due_date)
                for a in previous.agreements.exclude(followed=FollowedUp.YES)
            )
        _event(case, CaseEventKind.OTHER, today(), actor, f"Plan van aanpak versie {plan.version} gestart")
        audit.record(actor, AuditAction.CREATE, plan, case=case)
    return plan


def update_plan(*, actor: Actor, plan: Plan, covered_persons=None, own_responsibility: str | None = None,
                review_date: dt.date | None = None) -> Plan:
    errors: dict = {}
    if covered_persons is not None:
        covered_persons = list(covered_persons)
        if not covered_persons:
            errors.setdefault("covered_persons", []).append(PLAN_RULES["no_persons"])
        _check_covered(errors, plan.case, covered_persons)
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        if own_responsibility is not None:
            plan.own_responsibility = own_responsibility.strip()
        plan.review_date = review_date if review_date is not None else plan.review_date
        plan.save(update_fields=["own_responsibility", "review_date"])
        if covered_persons is not None:
            plan.covered_persons.set(covered_persons)
        audit.record(actor, AuditAction.UPDATE, plan, case=plan.case)
    return plan


def add_goal(*, actor: Actor, plan: Plan, person: Person, domain, description: str, target_score: int | None = None,
             target_date: dt.date | None = None, actor_type: str = "", actor_name: str = "") -> Goal:
    """Add a goal for a covered person on a ZRM domain. Date and actor may follow before vaststellen."""
    errors: dict = {}
    if not (description or "").strip():
        errors.setdefault("description", []).append("Beschrijf het doel.")
    if target_score is not None and not 1 <= target_score <= 5:
        errors.setdefault("target_score", []).append("De beoogde score ligt tussen 1 en 5.")
    if actor_type and actor_type not in ActorType.values:
        errors.setdefault("actor_type", []).append("Kies wie verantwoordelijk is.")
    if actor_type in (ActorType.NETWORK, ActorType.EXTERNAL) and not (actor_name or "").strip():
        errors.setdefault("actor_name", []).append("Noem de persoon of organisatie die verantwoordelijk is.")
    if domain is None:
        errors.setdefault("domain", []).append("Kies het ZRM-domein van het doel.")
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        if not plan.covered_persons.filter(pk=person.pk).exists():
            raise ValidationError({"person": ["Dit gezinslid valt niet onder het plan."]})
        goal = Goal.objects.create(
            plan=plan, person=person, domain=domain, description=description.strip(), target_score=target_score,
            target_date=target_date, actor_type=actor_type, actor_name=(actor_name or "").strip(),
        )
        audit.record(actor, AuditAction.CREATE, goal, person=person, case=plan.case)
    return goal


def record_low_domain_reason(*, actor: Actor, plan: Plan, person: Person, domain, reason: str,
                             explanation: str = "") -> LowDomainReason:
    """Why a low-scoring domain gets no goal (coded; 'overig' needs a text)."""
    errors: dict = {}
    if reason not in NoGoalReason.values:
        errors.setdefault("reason", []).append("Kies een reden.")
    elif reason == NoGoalReason.OTHER and not (explanation or "").strip():
        errors.setdefault("explanation", []).append("Licht de reden 'overig' toe.")
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        row, _ = LowDomainReason.objects.update_or_create(
            plan=plan, person=person, domain=domain,
            defaults={"reason": reason, "explanation": (explanation or "").strip()},
        )
        audit.record(actor, AuditAction.UPDATE, row, person=person, case=plan.case)
    return row


def add_agreement(*, actor: Actor, plan: Plan, actor_type: str, description: str, due_date: dt.date | None = None,
                  actor_name: str = "") -> Agreement:
    """Who does what by when."""
    errors: dict = {}
    if actor_type not in ActorType.values:
        errors.setdefault("actor_type", []).append("Kies wie de afspraak uitvoert.")
    if not (description or "").strip():
        errors.setdefault("description", []).append("Beschrijf wat er is afgesproken.")
    if due_date is None:
        errors.setdefault("due_date", []).append("Vul in wanneer de afspraak uitgevoerd moet zijn.")
    _raise(errors)
    with transaction.atomic():
        plan = _concept(plan)
        agreement = Agreement.objects.create(plan=plan, actor_type=actor_type, actor_name=(actor_name or "").strip(),
                                             description=description.strip(), due_date=due_date)
        audit.record(actor, AuditAction.CREATE, agreement, case=plan.case)
    return agreement


def record_network_assessment(*, actor: Actor, plan: Plan, explored: bool, contacted: bool,
                              contribution_agreed: bool, reason_not_used: str = "") -> NetworkAssessment:
    """The network analysis: explored, contacted, contribution agreed; a reason when the network is not used."""
    if not contribution_agreed and not (reason_not_used or "").strip():
        raise ValidationError({"reason_not_used": ["Geef aan waarom het netwerk niet wordt ingezet."]})
    with transaction.atomic():
        plan = _concept(plan)
        row, _ = NetworkAssessment.objects.update_or_create(
            plan=plan, defaults={"explored": explored, "contacted": contacted,
                                 "contribution_agreed": contribution_agreed,
                                 "reason_not_used": (reason_not_used or "").strip()},
        )
        audit.record(actor, AuditAction.UPDATE, row, case=plan.case)
    return row


def add_network_member(*, actor: Actor, case: Case, name: str, relation: str, supportive: bool = True,
                       agreed_contribution: str = "") -> NetworkMember:
    errors: dict = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append("Vul de naam in.")
    if not (relation or "").strip():
        errors.setdefault("relation", []).append("Vul de relatie tot het huishouden in.")
    _raise(errors)
    with transaction.atomic():
        member = NetworkMember.objects.create(household=case.household, name=name.strip(), relation=relation.strip(),
                                              supportive=supportive, agreed_contribution=agreed_contribution.strip())
        audit.record(actor, AuditAction.CREATE, member, case=case)
    return member


def record_family_approach(*, actor: Actor, case: Case, person: Person, spoken_to: bool, reason_not_spoken: str = "",
                           needs_support: bool = False, receives_support: bool = False) -> FamilyApproach:
    """Per household member: spoken to (a reason when not), needs support, receives support."""
    if not spoken_to and not (reason_not_spoken or "").strip():
        raise ValidationError({"reason_not_spoken": ["Geef aan waarom dit gezinslid niet gesproken is."]})
    if not case.household.memberships.filter(person=person, valid_to__isnull=True).exists():
        raise ValidationError({"person": ["Dit is geen huidig gezinslid."]})
    with transaction.atomic():
        row, _ = FamilyApproach.objects.update_or_create(
            case=case, person=person,
            defaults={"spoken_to": spoken_to, "reason_not_spoken": "" if spoken_to else reason_not_spoken.strip(),
                      "needs_support": needs_support, "receives_support": receives_support},
        )
        audit.record(actor, AuditAction.UPDATE, row, person=person, case=case)
    return row


def record_safety_override(*, actor: Actor, case: Case, reason: str) -> SafetyOverride:
    """A team leader lets a safety case go on although not every member was spoken to."""
    leader = StaffMembership.objects.filter(user=actor.user, team=case.team, role=Role.TEAM_LEADER,
                                            active=True).first()
    if leader is None:
        raise ValidationError("Alleen een teamleider van dit team kan een uitzondering vastleggen.")
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Geef een reden voor de uitzondering."]})
    with transaction.atomic():
        row, _ = SafetyOverride.objects.update_or_create(
            case=case, defaults={"team_leader": leader, "reason": reason.strip(), "recorded_on": today()}
        )
        _event(case, CaseEventKind.OTHER, today(), actor, f"Uitzondering veiligheid: {reason.strip()}")
        audit.record(actor, AuditAction.UPDATE, row, case=case)
    return row


def plan_finalisation_problems(plan: Plan, on: dt.date | None = None) -> list[str]:
    """Every reason why this plan cannot be vastgesteld on `on`; empty when it can."""
    measurements = extensions.measurements.provider
    on = on or today()
    problems: list[str] = []
    max_age = settings.WIJKREGIE["PLAN_ZRM_MAX_AGE_DAYS"]
    low = settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"]
    persons = list(plan.covered_persons.order_by("pk"))
    if not persons:
        problems.append(PLAN_RULES["no_persons"])
    latest = measurements.latest_effective(plan.case_id, [p.pk for p in persons],
                                           measured_from=on - dt.timedelta(days=max_age), measured_to=on)
    person_of = {item.measurement_id: person_id for person_id, item in latest.items()}
    covered_by_goal = set(plan.goals.values_list("person_id", "domain_id"))
    covered_by_reason = set(plan.low_domain_reasons.values_list("person_id", "domain_id"))
    low_scores = sorted(measurements.low_scores(list(person_of), low),
                        key=lambda score: person_of[score.measurement_id])  # by person, then domain order
    names = {p.pk: p.full_name for p in persons}
    for person in persons:
        if person.pk not in latest:
            problems.append(PLAN_RULES["no_zrm"].format(person=person.full_name, days=max_age))
    for score in low_scores:
        key = (person_of[score.measurement_id], score.domain.pk)
        if key not in covered_by_goal and key not in covered_by_reason:
            problems.append(PLAN_RULES["low_domain"].format(
                person=names[person_of[score.measurement_id]], domain=score.domain.name, score=score.score))
    for goal in plan.goals.all():
        if goal.target_date is None:
            problems.append(PLAN_RULES["goal_date"].format(goal=goal.description[:60]))
        if not goal.actor_type:
            problems.append(PLAN_RULES["goal_actor"].format(goal=goal.description[:60]))
    if not plan.agreements.filter(actor_type__in=[ActorType.CLIENT, ActorType.NETWORK]).exists():
        problems.append(PLAN_RULES["own_effort"])
    if not NetworkAssessment.objects.filter(plan=plan).exists():
        problems.append(PLAN_RULES["network"])
    case = plan.case
    if case.safety_flag and not SafetyOverride.objects.filter(case=case).exists():
        spoken = set(FamilyApproach.objects.filter(case=case, spoken_to=True).values_list("person_id", flat=True))
        missing = [m.person.full_name for m in case.household.memberships.filter(valid_to__isnull=True)
                   .select_related("person") if m.person_id not in spoken]
        if missing:
            problems.append(PLAN_RULES["safety"].format(persons=", ".join(missing)))
    return problems


def finalise_plan(*, actor: Actor, plan: Plan, on: dt.date | None = None) -> Plan:
    """Vaststellen: only when every rule holds; otherwise a ValidationError listing each missing item."""
    on = on or today()
    with transaction.atomic():
        plan = _concept(plan)
        problems = plan_finalisation_problems(plan, on)
        if problems:
            raise ValidationError(problems, code="plan_incomplete")
        plan.status = PlanStatus.FINALISED
        plan.finalised_on = on
        plan.finalised_by = actor.user
        plan.save(update_fields=["status", "finalised_on", "finalised_by"])
        _event(plan.case, CaseEventKind.OTHER, on, actor, f"Plan van aanpak versie {plan.version} vastgesteld")
        audit.record(actor, AuditAction.UPDATE, plan, case=plan.case)
        case_changed.send(sender=Case, case_id=plan.case_id)  # after commit: reporting facts and aggregates
    return plan


def evaluate_plan(*, actor: Actor, plan: Plan, evaluation: str, followed: dict[int, str] | None = None,
                  achieved_goal_ids=(), on: dt.date | None = None) -> Plan:
    """Review a vastgesteld plan: agreements followed yes/partly/no, goals achieved; the plan becomes geëvalueerd."""
    on = on or today()
    followed = followed or {}
    if not (evaluation or "").strip():
        raise ValidationError({"evaluation": ["Beschrijf de evaluatie."]})
    if any(value not in FollowedUp.values for value in followed.values()):
        raise ValidationError({"followed": ["Kies per afspraak: ja, deels of nee."]})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().select_related("case").get(pk=plan.pk)
        if plan.status != PlanStatus.FINALISED:
            raise ValidationError("Alleen een vastgesteld plan kan worden geëvalueerd.")
        for agreement in plan.agreements.filter(pk__in=followed.keys()):
            agreement.followed = followed[agreement.pk]
            agreement.save(update_fields=["followed"])
        plan.goals.filter(pk__in=list(achieved_goal_ids)).update(achieved=True)
        plan.status = PlanStatus.EVALUATED
        plan.evaluated_on = on
        plan.evaluation = evaluation.strip()
        plan.save(update_fields=["status", "evaluated_on", "evaluation"])
        _event(plan.case, CaseEventKind.OTHER, on, actor, f"Plan van aanpak versie {plan.version} geëvalueerd")
        audit.record(actor, AuditAction.UPDATE, plan, case=plan.case)
    return plan
