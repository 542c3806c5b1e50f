"""GET /api/v1/onderzoeksbestand: the pseudonymised research extract (scope onderzoek.lezen)."""
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

from common.api.fields import OneReasonMixin
from common.api.views import parse_query
from common.audit import Actor
from common.models import Scope

from .. import research, research_requests


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class ScoreValueField(serializers.JSONField):
    """A domain's score (1-5), or the reason it was not scored."""


class MeasurementRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Maand (2025-03), kwartaal (2025-Q1) of jaar, als de melding.")
    type = serializers.CharField()
    instrumentVersion = serializers.CharField()
    scores = serializers.DictField(child=ScoreValueField(), help_text="Per domeincode: de score (1-5) of de reden "
                                                                      "waarom het domein niet gescoord is.")
    problemDomains = serializers.IntegerField(allow_null=True)
    householdCategory = serializers.CharField(allow_null=True)


class InterventionRowSerializer(serializers.Serializer):
    personPseudonym = serializers.CharField(allow_null=True)
    type = serializers.CharField()
    teamAction = serializers.CharField()
    deliverer = serializers.CharField()
    startPeriod = serializers.CharField(allow_null=True)
    endPeriod = serializers.CharField(allow_null=True)
    wouldHaveStartedWithoutTeam = serializers.BooleanField(allow_null=True)


class ResearchRowSerializer(serializers.Serializer):
    personPseudonym = serializers.CharField()
    householdPseudonym = serializers.CharField()
    casePseudonym = serializers.CharField()
    ageBand = serializers.CharField(help_text="Leeftijd op de meldingsdatum: 5- of 10-jaarsklasse of "
                                              "leeftijdsgroep (jeugd, volwassenen, ouderen).")
    role = serializers.CharField(allow_null=True)
    postcodeArea = serializers.CharField(allow_null=True, help_text="De eerste twee cijfers van de postcode.")
    wijk = serializers.CharField(allow_null=True)
    householdType = serializers.CharField(allow_null=True, help_text="Op de meldingsdatum, als de aggregaten.")
    team = serializers.CharField(allow_null=True)
    meldingPeriod = serializers.CharField(help_text="Maand (2025-03), kwartaal (2025-Q1) of jaar (2025).")
    meldingSource = serializers.CharField()
    firstContactPeriod = serializers.CharField(allow_null=True)
    closedPeriod = serializers.CharField(allow_null=True)
    closureReason = serializers.CharField(allow_null=True)
    reopening = serializers.BooleanField()
    measurements = MeasurementRowSerializer(many=True)
    interventions = InterventionRowSerializer(many=True)


class PurposeField(OneReasonMixin, serializers.CharField):
    pass


class ResearchQuerySerializer(serializers.Serializer):
    doel = PurposeField(reason="Het doel is verplicht en wordt gelogd.", code="required",
                        help_text="Het doel van deze verwerking (wordt gelogd).")


class ResearchExtractView(GenericAPIView):
    """Record-level, pseudonymised, k-anonymous rows for research: every combination of the quasi-identifiers
    (age band, role, team, wijk, postcode area, household type, melding period) holds at least k persons.
    Every call is logged with the client and its purpose."""

    # The stated purpose (free text) is kept on a ResearchRequest, under retention; the audit row names that
    # request and carries the code "onderzoek" (issue 15, finding 3).

    required_scopes = Scope.RESEARCH_READ
    staff_roles = ()  # machine clients only
    serializer_class = ResearchRowSerializer

    def get_queryset(self):
        return research.extract_cases()

    @extend_schema(
        operation_id="onderzoeksbestand_list",
        summary="Onderzoeksbestand",
        description="Gepseudonimiseerde rijen per persoon voor onderzoek, k-anoniem: elke combinatie van "
                    "leeftijdsgroep, rol, team, wijk, postcodegebied, huishoudtype en meldingsperiode komt bij ten "
                    "minste k personen voor. Elke opvraging wordt met de client en het doel gelogd.",
        parameters=[ResearchQuerySerializer],
        responses=ResearchRowSerializer(many=True),
    )
    def get(self, request):
        purpose = parse_query(request, ResearchQuerySerializer)["doel"]
        published = research.release()
        page = self.paginate_queryset(research.extract_cases(published))
        client = request.user.client
        research_requests.record_request(actor=Actor.from_request(request), client=client, purpose=purpose,
                                         page=str(self.paginator.page.number))
        return self.get_paginated_response(research.rows_for(page, client.pseudonym_key, published))
