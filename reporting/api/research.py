"""GET /api/v1/onderzoeksbestand: the pseudonymised research extract (scope onderzoek.lezen)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from common.api.problems import problem, problem_details_handler
from common.audit import Actor
from common.models import Scope

from .. import research, research_requests


class MeasurementRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    type = serializers.CharField()
    instrumentVersion = serializers.CharField()
    scores = serializers.DictField(child=serializers.CharField())
    problemDomains = serializers.IntegerField(allow_null=True)
    householdCategory = serializers.CharField(allow_null=True)


class InterventionRowSerializer(serializers.Serializer):
    personPseudonym = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    teamAction = serializers.CharField()
    deliverer = serializers.CharField()
    startDate = serializers.DateField(allow_null=True)
    endDate = serializers.DateField(allow_null=True)
    wouldHaveStartedWithoutTeam = serializers.BooleanField(allow_null=True)


class ResearchRowSerializer(serializers.Serializer):
    personPseudonym = serializers.CharField()
    householdPseudonym = serializers.CharField()
    casePseudonym = serializers.CharField()
    birthYear = serializers.IntegerField()
    role = serializers.CharField()
    postcodeArea = serializers.CharField()
    wijk = serializers.CharField(allow_null=True)
    householdType = serializers.CharField()
    team = serializers.CharField()
    meldingDate = serializers.DateField()
    meldingSource = serializers.CharField()
    firstContactDate = serializers.DateField(allow_null=True)
    closedOn = serializers.DateField(allow_null=True)
    closureReason = serializers.CharField(allow_null=True)
    reopening = serializers.BooleanField()
    measurements = MeasurementRowSerializer(many=True)
    interventions = InterventionRowSerializer(many=True)


class ResearchExtractView(GenericAPIView):
    """Record-level, pseudonymised rows for research. Every call is logged with the client and its purpose."""

    # The stated purpose (free text) is kept on a ResearchRequest, under retention; the audit row names that
    # request and carries the code "onderzoek" (issue 15, finding 3).

    required_scopes = Scope.RESEARCH_READ
    staff_roles = ()  # machine clients only
    serializer_class = ResearchRowSerializer

    def get_exception_handler(self):
        return problem_details_handler

    def get_queryset(self):
        return research.extract_cases()

    @extend_schema(
        operation_id="onderzoeksbestand_list",
        parameters=[OpenApiParameter("doel", str, required=True,
                                     description="Het doel van deze verwerking (wordt gelogd).")],
        responses=ResearchRowSerializer(many=True),
    )
    def get(self, request):
        purpose = (request.query_params.get("doel") or "").strip()
        if not purpose:
            return problem(400, detail="Geef het doel van de verwerking op.", invalid_params=[
                {"name": "doel", "code": "required", "reason": "Het doel is verplicht en wordt gelogd."}])
        page = self.paginate_queryset(self.get_queryset())
        client = request.user.client
        research_requests.record_request(actor=Actor.from_request(request), client=client, purpose=purpose,
                                         page=request.query_params.get("page", "1"))
        return self.get_paginated_response(research.rows_for(page, client.pseudonym_key))
