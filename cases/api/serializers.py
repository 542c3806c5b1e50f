"""Serializers of the cases API (plans, goals, agreements, interventions, escalations): shapes only.

JSON fields are camelCase (`source=` maps them onto the model and service names); business rules live
in cases/services/, so a request gets the same Dutch messages as the screens. Ids and codes in a request
resolve to the objects the caller may use (common.api.fields); the service checks the rest.
"""
from rest_framework import serializers

from common.api.fields import KnownCode, KnownId

from ..models import (
    ActorType,
    Deliverer,
    DeviationReason,
    EscalationKind,
    FollowedUp,
    Intervention,
    InterventionType,
    NoGoalReason,
    OtherSubcategory,
    Person,
    TeamAction,
)
from ..permissions import visible_persons

MSG_NOT_MEMBERS = "Alleen huidige gezinsleden kunnen in het plan."
MSG_NOT_COVERED = "Dit gezinslid valt niet onder het plan."
MSG_UNKNOWN_TYPE = "Onbekende soort traject '{value}'."


def case_interventions(queryset, context):
    return queryset.filter(case=context["case"])


# --- Output --------------------------------------------------------------------------------------

class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    domain = serializers.CharField(source="domain.code", read_only=True, help_text="ZRM-domeincode.")
    domainName = serializers.CharField(source="domain.name", read_only=True)
    instrumentVersion = serializers.CharField(source="domain.version.code", read_only=True)
    description = serializers.CharField(read_only=True)
    targetScore = serializers.IntegerField(source="target_score", read_only=True, allow_null=True)
    targetDate = serializers.DateField(source="target_date", read_only=True, allow_null=True)
    actorType = serializers.CharField(source="actor_type", read_only=True)
    actorName = serializers.CharField(source="actor_name", read_only=True)
    achieved = serializers.BooleanField(read_only=True, allow_null=True)


class LowDomainReasonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    domain = serializers.CharField(source="domain.code", read_only=True)
    instrumentVersion = serializers.CharField(source="domain.version.code", read_only=True)
    reason = serializers.CharField(read_only=True)
    explanation = serializers.CharField(read_only=True)


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    actorType = serializers.CharField(source="actor_type", read_only=True)
    actorName = serializers.CharField(source="actor_name", read_only=True)
    description = serializers.CharField(read_only=True)
    dueDate = serializers.DateField(source="due_date", read_only=True, allow_null=True)
    followed = serializers.CharField(read_only=True, help_text="ja, deels of nee na de evaluatie; leeg daarvoor.")
    isOwnEffort = serializers.BooleanField(source="is_own_effort", read_only=True)


class NetworkAssessmentSerializer(serializers.Serializer):
    explored = serializers.BooleanField(default=False)
    contacted = serializers.BooleanField(default=False)
    contributionAgreed = serializers.BooleanField(source="contribution_agreed", default=False)
    reasonNotUsed = serializers.CharField(source="reason_not_used", required=False, allow_blank=True,
                                          max_length=500, default="")


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    version = serializers.IntegerField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="concept, vastgesteld of geevalueerd.")
    coveredPersons = serializers.SerializerMethodField(help_text="Ids van de gezinsleden in het plan.")
    ownResponsibility = serializers.CharField(source="own_responsibility", read_only=True)
    reviewDate = serializers.DateField(source="review_date", read_only=True, allow_null=True)
    finalisedOn = serializers.DateField(source="finalised_on", read_only=True, allow_null=True)
    evaluatedOn = serializers.DateField(source="evaluated_on", read_only=True, allow_null=True)
    evaluation = serializers.CharField(read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    agreements = AgreementSerializer(many=True, read_only=True)
    lowDomainReasons = LowDomainReasonSerializer(source="low_domain_reasons", many=True, read_only=True)
    networkAssessment = NetworkAssessmentSerializer(source="network_assessment", read_only=True, allow_null=True)

    def get_coveredPersons(self, obj) -> list[int]:
        return [person.pk for person in obj.covered_persons.all()]


class InterventionSerializer(serializers.Serializer):
    """A trajectory; the same shape is read and written (codes for types, ids for persons and trajectories)."""

    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    type = KnownCode(queryset=InterventionType.objects.all(), message=MSG_UNKNOWN_TYPE,
                     help_text="Code uit de lijst soorten trajecten, bijv. schuldhulpverlening.")
    subcategory = serializers.ChoiceField(choices=OtherSubcategory.choices, required=False, allow_blank=True,
                                          default="", help_text="Verplicht bij soort 'anders'.")
    person = KnownId(queryset=Person.objects.all(), scope=visible_persons, required=False, allow_null=True,
                     default=None, message="Dit is geen gezinslid van dit huishouden.",
                     help_text="Id van een gezinslid; leeg voor het hele huishouden.")
    provider = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    startDate = serializers.DateField(source="start_date", required=False, allow_null=True, default=None)
    endDate = serializers.DateField(source="end_date", required=False, allow_null=True, default=None)
    teamAction = serializers.ChoiceField(source="team_action", choices=TeamAction.choices,
                                         help_text="lopend (liep al bij de start), gestart of gestopt door het team.")
    deliverer = serializers.ChoiceField(choices=Deliverer.choices)
    wouldHaveStartedWithoutTeam = serializers.BooleanField(source="would_have_started_without_team",
                                                           required=False, allow_null=True, default=None)
    monthlyHours = serializers.DecimalField(source="monthly_hours", max_digits=5, decimal_places=1, required=False,
                                            allow_null=True, default=None,
                                            help_text="Uren lichte ondersteuning per maand door het team zelf.")
    mostAppropriateType = KnownCode(source="most_appropriate_type", queryset=InterventionType.objects.all(),
                                    required=False, allow_null=True, default=None, message=MSG_UNKNOWN_TYPE)
    deviationReason = serializers.ChoiceField(source="deviation_reason", choices=DeviationReason.choices,
                                              required=False, allow_blank=True, default="")
    replacesType = KnownCode(source="replaces_type", queryset=InterventionType.objects.all(), required=False,
                             allow_null=True, default=None, message=MSG_UNKNOWN_TYPE)
    onWaitingList = serializers.BooleanField(source="on_waiting_list", required=False, default=False)
    bridgingFor = KnownId(source="bridging_for", queryset=Intervention.objects.all(), scope=case_interventions,
                          required=False, allow_null=True, default=None,
                          message="Overbrugging kan alleen voor een traject in deze casus.",
                          help_text="Id van het traject op de wachtlijst dat dit overbrugt.")
    carriedOutAt6Months = serializers.BooleanField(source="carried_out_at_6_months", required=False,
                                                   allow_null=True, default=None)


class InterventionResultSerializer(InterventionSerializer):
    warnings = serializers.SerializerMethodField()

    def get_warnings(self, obj) -> list[str]:
        return list(self.context.get("warnings", []))


class EscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    kind = serializers.ChoiceField(choices=EscalationKind.choices)
    prevented = serializers.BooleanField(help_text="true = voorkomen, false = opgetreden.")
    preventedBy = KnownId(source="prevented_by", queryset=Intervention.objects.all(), scope=case_interventions,
                          required=False, allow_null=True, default=None, message="Kies een traject van deze casus.",
                          help_text="Id van het traject dat de escalatie voorkwam.")
    childrenCount = serializers.IntegerField(source="children_count", required=False, allow_null=True,
                                             default=None, help_text="Aantal kinderen, verplicht bij uhp.")
    date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


# --- Input ---------------------------------------------------------------------------------------

class PlanWriteSerializer(serializers.Serializer):
    coveredPersons = KnownId(source="covered_persons", many=True, queryset=Person.objects.all(),
                             scope=visible_persons, message=MSG_NOT_MEMBERS, help_text="Ids van huidige gezinsleden.")
    ownResponsibility = serializers.CharField(source="own_responsibility", required=False, allow_blank=True)
    reviewDate = serializers.DateField(source="review_date", required=False, allow_null=True)


class GoalWriteSerializer(serializers.Serializer):
    person = KnownId(queryset=Person.objects.all(), scope=visible_persons, message=MSG_NOT_COVERED,
                     help_text="Id van een gezinslid in het plan.")
    domain = serializers.SlugField(max_length=64, help_text="ZRM-domeincode, bijv. financien.")
    instrumentVersion = serializers.SlugField(required=False,
                                              help_text="ZRM-versiecode, bijv. zrm-2017; standaard de actieve versie.")
    description = serializers.CharField(allow_blank=True)
    targetScore = serializers.IntegerField(source="target_score", required=False, allow_null=True)
    targetDate = serializers.DateField(source="target_date", required=False, allow_null=True)
    actorType = serializers.ChoiceField(source="actor_type", choices=ActorType.choices, required=False,
                                        allow_blank=True)
    actorName = serializers.CharField(source="actor_name", required=False, allow_blank=True, max_length=200)


class LowDomainReasonWriteSerializer(serializers.Serializer):
    person = KnownId(queryset=Person.objects.all(), message=MSG_NOT_COVERED,
                     scope=lambda persons, context: persons.filter(pk__in=context["plan"].covered_persons.values("pk")))
    domain = serializers.SlugField(max_length=64)
    instrumentVersion = serializers.SlugField(required=False)
    reason = serializers.ChoiceField(choices=NoGoalReason.choices)
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AgreementWriteSerializer(serializers.Serializer):
    actorType = serializers.ChoiceField(source="actor_type", choices=ActorType.choices,
                                        help_text="client of netwerk telt als eigen inzet.")
    actorName = serializers.CharField(source="actor_name", required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(allow_blank=True)
    dueDate = serializers.DateField(source="due_date", required=False, allow_null=True)


class FollowedSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    followed = serializers.ChoiceField(choices=FollowedUp.choices)


class PlanEvaluationSerializer(serializers.Serializer):
    evaluation = serializers.CharField(allow_blank=True)
    agreements = FollowedSerializer(many=True, required=False, help_text="Per afspraak: ja, deels of nee.")
    achievedGoals = serializers.ListField(source="achieved_goals", child=serializers.IntegerField(), required=False,
                                          help_text="Ids van de behaalde doelen.")

    # The ids must be the plan's own (context["plan"]); every stranger is named in one message.
    def validate_agreements(self, value):
        self._own([item["agreement"] for item in value], self.context["plan"].agreements,
                  "Deze afspraken horen niet bij dit plan: ")
        return value

    def validate_achievedGoals(self, value):
        self._own(value, self.context["plan"].goals, "Deze doelen horen niet bij dit plan: ")
        return value

    @staticmethod
    def _own(ids: list[int], queryset, message: str) -> None:
        unknown = set(ids) - set(queryset.filter(pk__in=ids).values_list("pk", flat=True))
        if unknown:
            raise serializers.ValidationError(message + ", ".join(str(pk) for pk in sorted(unknown)) + ".",
                                              code="unknown")
