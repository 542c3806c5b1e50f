"""Staff REST endpoints for ZRM measurements (session auth, team-scoped like the UI).

Writes go through the same services as the entry screen; errors are problem details.
"""
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_case_for, team_ids_of
from common.api.views import ProblemDetailsMixin, api_actor

from .. import selectors, services
from ..models import Measurement, MeasurementStatus
from .serializers import MeasurementCreateSerializer, MeasurementResultSerializer, MeasurementSerializer

API_FIELD_NAMES = {
    "income_source": "incomeSource",
    "correction_reason": "correctionReason",
    "version": "instrumentVersion",
}


def api_field_name(key: str) -> str | None:
    """A measurement service's error key as the API names it: a domain's score under scores.<domain code>."""
    if key.startswith("score_"):
        return f"scores.{key[len('score_'):]}"
    return API_FIELD_NAMES.get(key)


class CaseMeasurementsView(ProblemDetailsMixin, generics.GenericAPIView):
    """GET: the case's measurements (paginated). POST: record a measurement (concept or vastgesteld)."""

    serializer_class = MeasurementSerializer
    service_field_names = staticmethod(api_field_name)  # a service's ValidationError: 400 (problem_details_handler)

    def get_queryset(self):
        case = get_case_for(self.request.user, self.kwargs["case_id"])
        return selectors.with_details(Measurement.objects.filter(case=case)).order_by("date", "pk")

    @extend_schema(operation_id="zrm_metingen_list", responses=MeasurementSerializer(many=True),
                   summary="ZRM-metingen van een casus",
                   description="De ZRM-metingen van de casus, in concept en vastgesteld, op datum.")
    def get(self, request, case_id: int):
        page = self.paginate_queryset(self.get_queryset())
        services.record_view(api_actor(request), page)
        return self.get_paginated_response(MeasurementSerializer(page, many=True).data)

    @extend_schema(operation_id="zrm_metingen_create", request=MeasurementCreateSerializer,
                   summary="ZRM-meting registreren",
                   description="Een meting voor een gezinslid: per domein een score van 1 tot 5 of de reden dat het "
                               "niet is gescoord, als concept of meteen vastgesteld. Een correctie vervangt een "
                               "vastgestelde meting (supersedes, met reden). Het antwoord noemt waarschuwingen.",
                   responses={201: MeasurementResultSerializer})
    def post(self, request, case_id: int):
        case = get_case_for(request.user, case_id)
        data = self.get_input(MeasurementCreateSerializer, case=case)
        supersedes = data.get("supersedes")
        version = data.get("instrumentVersion") or (supersedes.version if supersedes else selectors.active_version())
        scores = {item["domain"]: (item.get("score") if item.get("score") is not None else item["notScoredReason"])
                  for item in data["scores"]}
        result = services.record_measurement(
            actor=api_actor(request), case=case, person=data["person"], date=data["date"], type=data["type"],
            scores=scores, version=version, assessor=data.get("assessor"), purpose=data.get("purpose") or "",
            participatieladder=data.get("participatieladder"), income_source=data.get("incomeSource") or "",
            supersedes=supersedes, correction_reason=data.get("correctionReason") or "",
            finalise=data["status"] == MeasurementStatus.FINAL,
        )
        measurement = selectors.get_measurement(result.measurement.pk)
        body = MeasurementResultSerializer(measurement, context={"warnings": result.warnings}).data
        return Response(body, status=status.HTTP_201_CREATED)


def _measurement_for(request, pk: int) -> Measurement:
    measurement = selectors.get_measurement(pk)
    if measurement.case.team_id not in team_ids_of(request.user):
        raise PermissionDenied
    return measurement


class MeasurementDetailView(ProblemDetailsMixin, APIView):
    @extend_schema(operation_id="zrm_metingen_retrieve", responses=MeasurementSerializer,
                   summary="ZRM-meting ophalen", description="Eén ZRM-meting van een casus van uw teams.")
    def get(self, request, pk: int):
        measurement = _measurement_for(request, pk)
        services.record_view(api_actor(request), [measurement])
        return Response(MeasurementSerializer(measurement).data)


class MeasurementFinaliseView(ProblemDetailsMixin, APIView):
    """Vaststellen of a concept measurement as stored."""

    service_field_names = staticmethod(api_field_name)
    service_conflict_codes = ("immutable",)  # already vastgesteld: 409

    @extend_schema(operation_id="zrm_metingen_vaststellen", request=None, responses=MeasurementResultSerializer,
                   summary="ZRM-meting vaststellen",
                   description="Stelt een meting in concept vast zoals ze is opgeslagen; daarna verandert ze niet "
                               "meer (een vastgestelde meting geeft 409).")
    def post(self, request, pk: int):
        measurement = _measurement_for(request, pk)
        result = services.finalise_measurement(actor=api_actor(request), measurement=measurement)
        measurement = selectors.get_measurement(result.measurement.pk)
        return Response(MeasurementResultSerializer(measurement, context={"warnings": result.warnings}).data)
