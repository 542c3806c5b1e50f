"""POST /api/v1/regiecheck: who already holds direction for a person's household (DOMAIN.md §8).

Staff use their session (sociaal werker or teamleider, any team); a machine client needs the scope
registratie.lezen. The BSN travels only in the request body, never in the URL. The answer is WHO
information (teams, organisations, the director's contact details); a minimal summary only when the
household's consent names the asker's organisation or the case records bemoeizorg. No match and any
partial mismatch give the same neutral answer. Every call is a SEARCH row in the audit log.
"""
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import services
from cases.models import TEAM_ROLES
from common.api.views import ProblemDetailsMixin, api_actor
from common.models import Scope
from common.validators import is_valid_bsn

FIELD_NAMES = {"bsn": "bsn", "date_of_birth": "dateOfBirth", "postcode": "postcode", "house_number": "houseNumber"}


class RegiecheckSerializer(serializers.Serializer):
    bsn = serializers.CharField(max_length=11, help_text="Negen cijfers (elfproef).")
    dateOfBirth = serializers.DateField(help_text="Geboortedatum (JJJJ-MM-DD).")
    postcode = serializers.CharField(max_length=10)
    houseNumber = serializers.IntegerField(min_value=1)
    houseNumberAddition = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")

    def validate_bsn(self, value):
        value = "".join(value.split())
        if not is_valid_bsn(value):
            raise serializers.ValidationError(services.MSG_BSN_INVALID, code="invalid_bsn")
        return value


class RegieDirectorSerializer(serializers.Serializer):
    name = serializers.CharField()
    team = serializers.CharField()
    organisation = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class RegieSummarySerializer(serializers.Serializer):
    status = serializers.CharField()
    meldingDate = serializers.DateField(source="melding_date")
    problemDomainCount = serializers.IntegerField(source="problem_domain_count", allow_null=True)
    measuredOn = serializers.DateField(source="measured_on", allow_null=True)


class RegieInvolvementSerializer(serializers.Serializer):
    team = serializers.CharField()
    organisations = serializers.ListField(child=serializers.CharField())
    director = RegieDirectorSerializer(allow_null=True)
    consentCovers = serializers.BooleanField(
        source="consent_covers", help_text="Dekt een geldige toestemming van het huishouden het delen met de "
                                           "organisatie van de vrager?")
    sharedBasis = serializers.CharField(source="shared_basis", help_text="'toestemming', 'bemoeizorg' of leeg "
                                                                         "(alleen wie-informatie).")
    summary = RegieSummarySerializer(allow_null=True, help_text="Alleen met toestemming of bij bemoeizorg.")


class RegiecheckAnswerSerializer(serializers.Serializer):
    known = serializers.BooleanField(help_text="Onwaar: geen regie bekend (ook bij een gedeeltelijke match).")
    organisations = serializers.ListField(child=serializers.CharField())
    involvements = RegieInvolvementSerializer(many=True)


class RegiecheckView(ProblemDetailsMixin, APIView):
    required_scopes = Scope.REGISTRATION_READ
    staff_roles = TEAM_ROLES
    service_field_names = FIELD_NAMES

    @extend_schema(
        operation_id="regiecheck",
        summary="Regiecheck: wie heeft de regie?",
        description="BSN, geboortedatum en adres moeten alle drie kloppen. Geeft alleen wie-informatie; een korte "
                    "samenvatting alleen met toestemming voor de organisatie van de vrager of bij bemoeizorg.",
        request=RegiecheckSerializer,
        responses={200: RegiecheckAnswerSerializer, 400: OpenApiResponse(description="Problem details.")},
    )
    def post(self, request):
        data = self.get_input(RegiecheckSerializer)
        answer = services.regiecheck(
            actor=api_actor(request), asker=request.user, bsn=data["bsn"], date_of_birth=data["dateOfBirth"],
            postcode=data["postcode"], house_number=data["houseNumber"],
            house_number_addition=data.get("houseNumberAddition", ""),
        )
        return Response(RegiecheckAnswerSerializer(answer).data)
