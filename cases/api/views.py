"""Staff REST endpoints for the plan, interventions and escalations (session auth, team-scoped like the UI).

Every write goes through the services of the casus page, so the API and the screens give the same Dutch
messages; errors are problem details (common/api/problems.py) with every invalid parameter listed: a service's
refusal is named by the fields of the input serializer the view read (ProblemDetailsMixin.get_input).
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common import audit
from common.api.problems import INVALID, problem
from common.api.scopes import ScopePermission
from common.api.views import ProblemDetailsMixin, api_actor
from common.models import AuditAction, Scope

from .. import extensions, selectors, services
from ..models import Escalation, Intervention, NetworkAssessment, Plan, PlanStatus
from ..permissions import IsTeamStaff, StaffRolePermission
from .serializers import (
    AgreementSerializer,
    AgreementWriteSerializer,
    EscalationSerializer,
    GoalSerializer,
    GoalWriteSerializer,
    InterventionResultSerializer,
    InterventionSerializer,
    LowDomainReasonSerializer,
    LowDomainReasonWriteSerializer,
    NetworkAssessmentSerializer,
    PlanEvaluationSerializer,
    PlanSerializer,
    PlanWriteSerializer,
)


class StaffAPIView(ProblemDetailsMixin, generics.GenericAPIView):
    # The project's defaults (signed in; machine clients only with a declared scope) plus the team rule.
    permission_classes = [IsAuthenticated, ScopePermission, StaffRolePermission, IsTeamStaff]
    # Machine clients: reads need registratie.lezen, writes registratie.schrijven, and they see only the teams
    # they were given (selectors.team_ids_of). Staff sessions (sociaal werker, teamleider) work as before.
    required_scopes = {"read": Scope.REGISTRATION_READ, "write": Scope.REGISTRATION_WRITE}


class PlanWriteView(StaffAPIView):
    # The plan's services refuse a change with an error naming no field only when the plan is no longer in concept.
    service_state_conflict = "plan_not_concept"


def _bad_request(request, params: list[dict]) -> Response:
    return problem(status.HTTP_400_BAD_REQUEST, detail=params[0]["reason"] if len(params) == 1 else INVALID,
                   invalid_params=params, instance=request.path)


def _param(name: str, reason: str, code: str = "unknown") -> dict:
    return {"name": name, "code": code, "reason": reason}


def _read(request, objects, case, person_of=lambda obj: None) -> None:
    """Every API read of case content is a READ row in the audit log (one INSERT)."""
    audit.record_many(api_actor(request), AuditAction.READ, [(obj, person_of(obj), case) for obj in objects])


def _plan_body(plan_pk: int) -> dict:
    return PlanSerializer(selectors.plan_with_details(plan_pk)).data


def _domain(data: dict, params: list[dict]):
    """The ZRM domain named by code in the given (or the active) instrument version (extensions.domains)."""
    version, domain = extensions.domains.provider.find(data["domain"], data.get("instrumentVersion") or None)
    if version is None:
        params.append(_param("instrumentVersion", f"Onbekende ZRM-versie '{data['instrumentVersion']}'."))
        return None
    if domain is None:
        params.append(_param("domain", f"Onbekend domein '{data['domain']}' in {version.name}."))
    return domain


# --- Plans ------------------------------------------------------------------------------------------

class CasePlansView(StaffAPIView):
    """GET: every plan version of the case, newest first. POST: start the plan (or its next version)."""

    serializer_class = PlanSerializer

    def get_queryset(self):
        case = selectors.get_case_for(self.request.user, self.kwargs["case_id"])
        return selectors.with_plan_details(Plan.objects.filter(case=case)).order_by("-version")

    @extend_schema(operation_id="plannen_list", responses=PlanSerializer(many=True), summary="Plannen van een casus",
                   description="Elke versie van het plan van de casus, de nieuwste eerst, met de doelen, afspraken, "
                               "redenen zonder doel en de netwerkanalyse.")
    def get(self, request, case_id: int):
        page = self.paginate_queryset(self.get_queryset())
        if page:
            _read(request, page, page[0].case)
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(operation_id="plannen_create", request=PlanWriteSerializer, responses={201: PlanSerializer},
                   summary="Plan starten",
                   description="Start het plan van de casus, of de volgende versie als het vorige plan is "
                               "geëvalueerd: de gezinsleden die het plan dekt, de eigen verantwoordelijkheid en de "
                               "evaluatiedatum. Het nieuwe plan is een concept.")
    def post(self, request, case_id: int):
        case = selectors.get_case_for(request.user, case_id)
        data = self.get_input(PlanWriteSerializer)
        plan = services.start_plan(actor=api_actor(request), case=case, covered_persons=data["covered_persons"],
                                   own_responsibility=data.get("own_responsibility", ""),
                                   review_date=data.get("review_date"))
        return Response(_plan_body(plan.pk), status=status.HTTP_201_CREATED)


class PlanDetailView(PlanWriteView):
    serializer_class = PlanSerializer

    @extend_schema(operation_id="plannen_retrieve", responses=PlanSerializer, summary="Plan ophalen",
                   description="Een plan met zijn status (concept, vastgesteld of geëvalueerd), doelen, afspraken, "
                               "redenen zonder doel en netwerkanalyse.")
    def get(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        _read(request, [plan], plan.case)
        return Response(_plan_body(plan.pk))

    @extend_schema(operation_id="plannen_partial_update", request=PlanWriteSerializer, responses=PlanSerializer,
                   summary="Plan wijzigen",
                   description="Wijzig de gedekte gezinsleden, de eigen verantwoordelijkheid of de evaluatiedatum; "
                               "alleen de meegestuurde velden veranderen. Alleen een plan in concept (anders 409).")
    def patch(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        data = self.get_input(PlanWriteSerializer, partial=True)
        services.update_plan(actor=api_actor(request), plan=plan, covered_persons=data.get("covered_persons"),
                             own_responsibility=data.get("own_responsibility"), review_date=data.get("review_date"))
        return Response(_plan_body(plan.pk))


class PlanFinaliseView(StaffAPIView):
    """Vaststellen. Refused with 400 and every missing item in invalid-params (code plan_incomplete)."""

    serializer_class = PlanSerializer
    # Each refusal of finalise_plan is an item still missing from the plan.
    service_non_field_name = "plan"
    service_error_code = "plan_incomplete"
    service_error_detail = "Het plan kan nog niet worden vastgesteld; zie invalid-params voor wat ontbreekt."

    @extend_schema(operation_id="plannen_vaststellen", request=None, responses=PlanSerializer,
                   summary="Plan vaststellen",
                   description="Stelt een plan in concept vast. Ontbreekt er nog iets, dan volgt 400 met elk "
                               "ontbrekend onderdeel in invalid-params (code plan_incomplete); een plan dat geen "
                               "concept meer is geeft 409.")
    def post(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        if plan.status != PlanStatus.CONCEPT:
            return problem(status.HTTP_409_CONFLICT, detail="Alleen een plan in concept kan worden vastgesteld.",
                           instance=request.path, code="plan_not_concept")
        services.finalise_plan(actor=api_actor(request), plan=plan)
        return Response(_plan_body(plan.pk))


class PlanEvaluateView(StaffAPIView):
    """Evaluate a vastgesteld plan: agreements followed (ja/deels/nee), goals achieved."""

    serializer_class = PlanSerializer
    service_field_names = {"followed": "agreements"}

    @extend_schema(operation_id="plannen_evalueren", request=PlanEvaluationSerializer, responses=PlanSerializer,
                   summary="Plan evalueren",
                   description="Evalueer een vastgesteld plan: per afspraak of die is nagekomen (ja, deels of nee) "
                               "en welke doelen zijn behaald. Het plan is daarna geëvalueerd; een plan dat niet is "
                               "vastgesteld geeft 409.")
    def post(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        data = self.get_input(PlanEvaluationSerializer, plan=plan)
        if plan.status != PlanStatus.FINALISED:
            return problem(status.HTTP_409_CONFLICT, detail="Alleen een vastgesteld plan kan worden geëvalueerd.",
                           instance=request.path, code="plan_not_finalised")
        followed = {item["agreement"]: item["followed"] for item in data.get("agreements", [])}
        services.evaluate_plan(actor=api_actor(request), plan=plan, evaluation=data["evaluation"],
                               followed=followed, achieved_goal_ids=data.get("achieved_goals", []))
        return Response(_plan_body(plan.pk))


class PlanGoalsView(PlanWriteView):
    serializer_class = GoalSerializer

    def get_queryset(self):
        plan = selectors.get_plan_for(self.request.user, self.kwargs["pk"])
        self.plan = plan
        return plan.goals.select_related("person", "domain__version").order_by("pk")

    @extend_schema(operation_id="doelen_list", responses=GoalSerializer(many=True), summary="Doelen van een plan",
                   description="De doelen van het plan, elk voor een gezinslid op een ZRM-domein.")
    def get(self, request, pk: int):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, page, self.plan.case, lambda goal: goal.person)
        return self.get_paginated_response(GoalSerializer(page, many=True).data)

    @extend_schema(operation_id="doelen_create", request=GoalWriteSerializer, responses={201: GoalSerializer},
                   summary="Doel toevoegen",
                   description="Een doel voor een gezinslid in het plan op een ZRM-domein, met een beschrijving en "
                               "naar keuze een streefscore, streefdatum en wie eraan werkt. Alleen in een plan in "
                               "concept (anders 409).")
    def post(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        data = self.get_input(GoalWriteSerializer, plan=plan)
        params: list[dict] = []
        domain = _domain(data, params)
        if params:
            return _bad_request(request, params)
        goal = services.add_goal(
            actor=api_actor(request), plan=plan, person=data["person"], domain=domain, description=data["description"],
            target_score=data.get("target_score"), target_date=data.get("target_date"),
            actor_type=data.get("actor_type", ""), actor_name=data.get("actor_name", ""))
        return Response(GoalSerializer(goal).data, status=status.HTTP_201_CREATED)


class PlanAgreementsView(PlanWriteView):
    serializer_class = AgreementSerializer

    def get_queryset(self):
        plan = selectors.get_plan_for(self.request.user, self.kwargs["pk"])
        self.plan = plan
        return plan.agreements.order_by("pk")

    @extend_schema(operation_id="afspraken_list", responses=AgreementSerializer(many=True),
                   summary="Afspraken van een plan",
                   description="De afspraken in het plan: wie wat doet en wanneer, en na de evaluatie of ze zijn "
                               "nagekomen.")
    def get(self, request, pk: int):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, page, self.plan.case)
        return self.get_paginated_response(AgreementSerializer(page, many=True).data)

    @extend_schema(operation_id="afspraken_create", request=AgreementWriteSerializer,
                   responses={201: AgreementSerializer}, summary="Afspraak toevoegen",
                   description="Een afspraak in het plan: wie (cliënt, iemand uit het netwerk, een medewerker van "
                               "het wijkteam of een externe organisatie) wat doet, naar keuze met een datum. Alleen "
                               "in een plan in concept (anders 409).")
    def post(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        data = self.get_input(AgreementWriteSerializer, plan=plan)
        agreement = services.add_agreement(
            actor=api_actor(request), plan=plan, actor_type=data["actor_type"], description=data["description"],
            due_date=data.get("due_date"), actor_name=data.get("actor_name", ""))
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class PlanLowDomainReasonsView(PlanWriteView):
    """Why a low-scoring domain gets no goal (coded reason)."""

    serializer_class = LowDomainReasonSerializer

    def get_queryset(self):
        plan = selectors.get_plan_for(self.request.user, self.kwargs["pk"])
        self.plan = plan
        return plan.low_domain_reasons.select_related("person", "domain__version").order_by("pk")

    @extend_schema(operation_id="redenen_zonder_doel_list", responses=LowDomainReasonSerializer(many=True),
                   summary="Redenen zonder doel",
                   description="Per gezinslid en laag scorend ZRM-domein waarom het plan er geen doel voor heeft: "
                               "een code uit de codelijst, met toelichting.")
    def get(self, request, pk: int):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, page, self.plan.case, lambda row: row.person)
        return self.get_paginated_response(LowDomainReasonSerializer(page, many=True).data)

    @extend_schema(operation_id="redenen_zonder_doel_create", request=LowDomainReasonWriteSerializer,
                   responses={201: LowDomainReasonSerializer}, summary="Reden zonder doel vastleggen",
                   description="Leg vast waarom een laag scorend ZRM-domein van een gezinslid geen doel krijgt "
                               "(andere instantie helpt al, geen hulpvraag, cliënt kan het zelf of overig). Alleen "
                               "in een plan in concept (anders 409).")
    def post(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        data = self.get_input(LowDomainReasonWriteSerializer, plan=plan)
        params: list[dict] = []
        domain = _domain(data, params)
        if params:
            return _bad_request(request, params)
        row = services.record_low_domain_reason(actor=api_actor(request), plan=plan, person=data["person"],
                                                domain=domain, reason=data["reason"],
                                                explanation=data.get("explanation", ""))
        return Response(LowDomainReasonSerializer(row).data, status=status.HTTP_201_CREATED)


class PlanNetworkAssessmentView(PlanWriteView):
    serializer_class = NetworkAssessmentSerializer

    @extend_schema(operation_id="netwerkanalyse_retrieve", responses=NetworkAssessmentSerializer,
                   summary="Netwerkanalyse ophalen",
                   description="Of het netwerk is verkend en benaderd en een bijdrage is afgesproken, of waarom het "
                               "netwerk niet wordt ingezet. 404 zolang het plan geen netwerkanalyse heeft.")
    def get(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        row = NetworkAssessment.objects.filter(plan=plan).first()
        if row is None:
            return problem(status.HTTP_404_NOT_FOUND, detail="Dit plan heeft nog geen netwerkanalyse.",
                           instance=request.path)
        _read(request, [row], plan.case)
        return Response(NetworkAssessmentSerializer(row).data)

    @extend_schema(operation_id="netwerkanalyse_update", request=NetworkAssessmentSerializer,
                   responses=NetworkAssessmentSerializer, summary="Netwerkanalyse vastleggen",
                   description="Legt de netwerkanalyse van het plan vast, of vervangt haar. Alleen in een plan in "
                               "concept (anders 409).")
    def put(self, request, pk: int):
        plan = selectors.get_plan_for(request.user, pk)
        data = self.get_input(NetworkAssessmentSerializer, plan=plan)
        row = services.record_network_assessment(actor=api_actor(request), plan=plan, **data)
        return Response(NetworkAssessmentSerializer(row).data)


# --- Interventions (trajecten) ---------------------------------------------------------------------

def _intervention_data(data: dict, base: services.InterventionData | None = None) -> services.InterventionData:
    """Validated API fields (codes and ids resolved by the serializer) over the intervention's current data."""
    return services.InterventionData(**{**(vars(base) if base is not None else {}), **data})


def _data_of(intervention: Intervention) -> services.InterventionData:
    return services.InterventionData(**{name: getattr(intervention, name)
                                        for name in services.InterventionData.__dataclass_fields__})


def _intervention_qs():
    return Intervention.objects.select_related("type", "person", "most_appropriate_type", "replaces_type")


class CaseInterventionsView(StaffAPIView):
    serializer_class = InterventionSerializer

    def get_queryset(self):
        self.case = selectors.get_case_for(self.request.user, self.kwargs["case_id"])
        return _intervention_qs().filter(case=self.case).order_by("start_date", "pk")

    @extend_schema(operation_id="trajecten_list", responses=InterventionSerializer(many=True),
                   summary="Trajecten van een casus",
                   description="De trajecten (interventies) van de casus, op startdatum.")
    def get(self, request, case_id: int):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, page, self.case, lambda item: item.person)
        return self.get_paginated_response(InterventionSerializer(page, many=True).data)

    @extend_schema(operation_id="trajecten_create", request=InterventionSerializer,
                   responses={201: InterventionResultSerializer}, summary="Traject registreren",
                   description="Een traject voor een gezinslid of het hele huishouden. Het antwoord noemt "
                               "waarschuwingen, bijvoorbeeld lichte ondersteuning door het team boven het maximum "
                               "aantal uren per maand.")
    def post(self, request, case_id: int):
        case = selectors.get_case_for(request.user, case_id)
        data = _intervention_data(self.get_input(InterventionSerializer, case=case))
        intervention, warnings = services.record_intervention(actor=api_actor(request), case=case, data=data)
        body = InterventionResultSerializer(_intervention_qs().get(pk=intervention.pk),
                                            context={"warnings": warnings}).data
        return Response(body, status=status.HTTP_201_CREATED)


class InterventionDetailView(StaffAPIView):
    """GET one trajectory; PUT replaces every field, PATCH changes the fields sent."""

    serializer_class = InterventionSerializer

    @extend_schema(operation_id="trajecten_retrieve", responses=InterventionSerializer, summary="Traject ophalen",
                   description="Eén traject van een casus van uw teams.")
    def get(self, request, pk: int):
        intervention = selectors.get_intervention_for(request.user, pk)
        _read(request, [intervention], intervention.case, lambda item: item.person)
        return Response(InterventionSerializer(intervention).data)

    @extend_schema(operation_id="trajecten_update", request=InterventionSerializer,
                   responses=InterventionResultSerializer, summary="Traject vervangen",
                   description="Vervangt alle velden van het traject; het antwoord noemt eventuele waarschuwingen.")
    def put(self, request, pk: int):
        return self._update(request, pk, partial=False)

    @extend_schema(operation_id="trajecten_partial_update", request=InterventionSerializer,
                   responses=InterventionResultSerializer, summary="Traject wijzigen",
                   description="Wijzigt alleen de meegestuurde velden van het traject; het antwoord noemt eventuele "
                               "waarschuwingen.")
    def patch(self, request, pk: int):
        return self._update(request, pk, partial=True)

    def _update(self, request, pk: int, *, partial: bool):
        intervention = selectors.get_intervention_for(request.user, pk)
        data = _intervention_data(self.get_input(InterventionSerializer, partial=partial, case=intervention.case),
                                  base=_data_of(intervention) if partial else None)
        intervention, warnings = services.update_intervention(actor=api_actor(request), intervention=intervention,
                                                              data=data)
        body = InterventionResultSerializer(_intervention_qs().get(pk=intervention.pk),
                                            context={"warnings": warnings}).data
        return Response(body)


# --- Escalations ------------------------------------------------------------------------------------

class CaseEscalationsView(StaffAPIView):
    serializer_class = EscalationSerializer

    def get_queryset(self):
        self.case = selectors.get_case_for(self.request.user, self.kwargs["case_id"])
        return Escalation.objects.filter(case=self.case).order_by("date", "pk")

    @extend_schema(operation_id="escalaties_list", responses=EscalationSerializer(many=True),
                   summary="Escalaties van een casus",
                   description="Opgetreden en voorkomen escalaties (huisuitzetting, OTS, uithuisplaatsing, opname) "
                               "van de casus, op datum.")
    def get(self, request, case_id: int):
        page = self.paginate_queryset(self.get_queryset())
        _read(request, page, self.case)
        return self.get_paginated_response(EscalationSerializer(page, many=True).data)

    @extend_schema(operation_id="escalaties_create", request=EscalationSerializer,
                   responses={201: EscalationSerializer}, summary="Escalatie registreren",
                   description="Een escalatie die is opgetreden of is voorkomen, naar keuze door een van de "
                               "trajecten van de casus; bij een uithuisplaatsing met het aantal kinderen.")
    def post(self, request, case_id: int):
        case = selectors.get_case_for(request.user, case_id)
        data = self.get_input(EscalationSerializer, case=case)
        escalation = services.record_escalation(
            actor=api_actor(request), case=case, kind=data["kind"], prevented=data["prevented"], date=data["date"],
            prevented_by=data.get("prevented_by"), children_count=data.get("children_count"), note=data.get("note", ""))
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)
