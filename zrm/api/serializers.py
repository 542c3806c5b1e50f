"""Serializers of the zrm API: shapes only. Business rules live in zrm/services.py."""
from rest_framework import serializers

from cases.models import Person, StaffMembership
from cases.permissions import visible_persons
from common.api.fields import KnownCode, KnownId

from ..models import (
    IncomeSource,
    InstrumentVersion,
    Measurement,
    MeasurementPurpose,
    MeasurementStatus,
    MeasurementType,
    NotScoredReason,
)


class ScoreSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=64, help_text="Domeincode, bijv. financien.")
    score = serializers.IntegerField(
        allow_null=True, required=False, help_text="1 tot en met 5; leeg als niet gescoord."
    )
    notScoredReason = serializers.ChoiceField(
        choices=NotScoredReason.choices, required=False, allow_null=True, allow_blank=True,
        help_text="Reden als het domein niet gescoord is.",
    )

    def validate(self, data):
        score, reason = data.get("score"), data.get("notScoredReason") or ""
        if score is not None and reason:
            raise serializers.ValidationError("Geef een score of een reden voor niet gescoord, niet allebei.")
        if score is None and not reason:
            raise serializers.ValidationError("Geef een score (1-5) of een reden voor niet gescoord.")
        return data


class MeasurementCreateSerializer(serializers.Serializer):
    person = KnownId(queryset=Person.objects.all(), scope=visible_persons,
                     message="Deze persoon is geen huidig lid van het huishouden van deze casus.",
                     help_text="Id van een huidig gezinslid van de casus.")
    date = serializers.DateField()
    type = serializers.ChoiceField(choices=MeasurementType.choices)
    purpose = serializers.ChoiceField(choices=MeasurementPurpose.choices, required=False, allow_blank=True)
    instrumentVersion = KnownCode(
        queryset=InstrumentVersion.objects.all(), required=False, message="Onbekende ZRM-versie '{value}'.",
        help_text="Versiecode, bijv. zrm-2017; standaard de actieve versie (of die van de gecorrigeerde meting).",
    )
    assessor = KnownId(queryset=StaffMembership.objects.all(), required=False, message="Onbekende beoordelaar.",
                       help_text="Id van het teamlidmaatschap; standaard uzelf.")
    participatieladder = serializers.IntegerField(required=False, allow_null=True)
    incomeSource = serializers.ChoiceField(choices=IncomeSource.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=MeasurementStatus.choices, default=MeasurementStatus.DRAFT,
        help_text="vastgesteld stelt de meting direct vast (dan onveranderlijk).",
    )
    supersedes = KnownId(
        queryset=Measurement.objects.select_related("version"), required=False, allow_null=True,
        scope=lambda measurements, context: measurements.filter(case=context["case"]),
        message="Deze meting bestaat niet in deze casus.", help_text="Id van de meting die dit corrigeert.",
    )
    correctionReason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    scores = ScoreSerializer(many=True)

    def validate_scores(self, value):
        seen = set()
        for item in value:
            if item["domain"] in seen:
                raise serializers.ValidationError(f"Domein '{item['domain']}' staat dubbel in de scores.")
            seen.add(item["domain"])
        return value


class MeasurementSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    instrumentVersion = serializers.CharField(source="version.code", read_only=True)
    assessor = serializers.IntegerField(source="assessor_id", read_only=True)
    supersedes = serializers.IntegerField(source="supersedes_id", read_only=True, allow_null=True)
    correctionReason = serializers.CharField(source="correction_reason", read_only=True)
    incomeSource = serializers.CharField(source="income_source", read_only=True)
    purpose = serializers.CharField(read_only=True, help_text="plan, evaluatie, afsluiting, overig, or empty")
    isSuperseded = serializers.BooleanField(source="is_superseded", read_only=True, default=False)
    problemDomainCount = serializers.IntegerField(source="problem_domain_count", read_only=True, allow_null=True)
    acuteDomainCount = serializers.IntegerField(source="acute_domain_count", read_only=True, allow_null=True)
    clusterScores = serializers.JSONField(source="cluster_scores", read_only=True, allow_null=True)
    householdCategory = serializers.CharField(source="household_category", read_only=True)
    finalisedAt = serializers.DateTimeField(source="finalised_at", read_only=True, allow_null=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = [
            "id", "case", "person", "instrumentVersion", "date", "type", "purpose", "assessor", "status",
            "supersedes", "correctionReason", "isSuperseded", "participatieladder", "incomeSource", "scores",
            "problemDomainCount", "acuteDomainCount", "bucket", "clusterScores", "householdCategory", "finalisedAt",
        ]
        read_only_fields = fields

    def get_scores(self, obj) -> list[dict]:
        return [
            {"domain": s.domain.code, "score": s.score, "notScoredReason": s.not_scored_reason or None}
            for s in obj.scores.all()
        ]


class MeasurementResultSerializer(MeasurementSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(MeasurementSerializer.Meta):
        fields = MeasurementSerializer.Meta.fields + ["warnings"]
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        return self.context.get("warnings", [])
