"""Shapes of the MKBA calculation endpoint, for the OpenAPI document.

Validation is not done here but by reporting.mkba.calculation (the same rules and Dutch messages as
the management command); these serializers describe the input and result documents.
"""
from rest_framework import serializers

from ..calculation import ACTORS, BENEFIT_CATEGORIES


class TeamInputSerializer(serializers.Serializer):
    memberFte = serializers.FloatField(min_value=0, help_text="fte teamleden (sociaal werkers)")
    memberCostPerFte = serializers.FloatField(min_value=0, required=False,
                                              help_text="standaard: prijs team_member_fte")
    leaderFte = serializers.FloatField(min_value=0, help_text="fte teamleiding")
    leaderCostPerFte = serializers.FloatField(min_value=0, required=False, help_text="standaard: prijs team_leader_fte")
    otherCosts = serializers.FloatField(min_value=0, required=False,
                                        help_text="huisvesting, scholing, ICT; standaard 0")
    additionalShare = serializers.FloatField(min_value=0, max_value=1, help_text="aandeel extra gefinancierd (0-1)")


class FrictionInputSerializer(serializers.Serializer):
    share = serializers.FloatField(min_value=0, max_value=1)
    otherOneOffCosts = serializers.FloatField(min_value=0, required=False)


class TrajectoryInputSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="code van de trajectsoort; de prijs komt uit het prijsboek")
    count = serializers.FloatField(min_value=0, help_text="mag gebroken zijn (extrapolatie)")
    label = serializers.CharField(required=False)
    actor = serializers.ChoiceField(choices=list(ACTORS), required=False)


class CoordinationInputSerializer(serializers.Serializer):
    households = serializers.FloatField(min_value=0)
    interventionsPerHousehold = serializers.FloatField(min_value=0)
    hoursSavedPerIntervention = serializers.FloatField(min_value=0, required=False, help_text="standaard 0,5")
    hourlyCost = serializers.FloatField(min_value=0, required=False, help_text="standaard: prijs team_hour")


class BenefitInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=list(BENEFIT_CATEGORIES))
    label = serializers.CharField()
    actor = serializers.ChoiceField(choices=list(ACTORS), required=False)
    year = serializers.IntegerField(min_value=0, max_value=9)
    amount = serializers.FloatField(min_value=0, required=False, help_text="bedrag in euro's; of count met priceKey")
    count = serializers.FloatField(min_value=0, required=False)
    priceKey = serializers.CharField(required=False)
    factor = serializers.FloatField(min_value=0, required=False)


class EffectsInputSerializer(serializers.Serializer):
    attribution = serializers.FloatField(min_value=0, max_value=1, required=False)
    relapse = serializers.FloatField(min_value=0, max_value=1, required=False)


class MkbaInputSerializer(serializers.Serializer):
    name = serializers.CharField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    priceBookVersion = serializers.IntegerField(required=False, help_text="standaard: de versie die vandaag geldt")
    discountRate = serializers.FloatField(min_value=0, max_value=1, required=False, help_text="standaard 0,055")
    team = TeamInputSerializer()
    friction = FrictionInputSerializer()
    extraTrajectories = TrajectoryInputSerializer(many=True, required=False)
    substitutedTrajectories = TrajectoryInputSerializer(many=True, required=False)
    coordination = CoordinationInputSerializer(required=False)
    benefits = BenefitInputSerializer(many=True, required=False)
    effects = EffectsInputSerializer(required=False)
    actors = serializers.DictField(child=serializers.ChoiceField(choices=list(ACTORS)), required=False)
    priceBook = serializers.DictField(child=serializers.FloatField(min_value=0), required=False)


class CostsSerializer(serializers.Serializer):
    newApproach = serializers.FloatField()
    friction = serializers.FloatField()
    extraCare = serializers.FloatField()
    total = serializers.FloatField()


class BenefitsSerializer(serializers.Serializer):
    newForOld = serializers.FloatField()
    substitution = serializers.FloatField()
    coordination = serializers.FloatField()
    effectiveness = serializers.FloatField()
    escalation = serializers.FloatField()
    intangible = serializers.FloatField()
    financialTotal = serializers.FloatField()
    total = serializers.FloatField()


class ActorResultSerializer(serializers.Serializer):
    actor = serializers.CharField()
    label = serializers.CharField()
    costs = serializers.FloatField()
    benefits = serializers.FloatField()
    balance = serializers.FloatField()


class LineSerializer(serializers.Serializer):
    section = serializers.CharField()
    category = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    actor = serializers.CharField()
    year = serializers.IntegerField()
    amount = serializers.FloatField()
    presentValue = serializers.FloatField()


class MkbaResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    year = serializers.IntegerField()
    priceBookVersion = serializers.IntegerField()
    discountRate = serializers.FloatField()
    costs = CostsSerializer()
    benefits = BenefitsSerializer()
    balanceFinancial = serializers.FloatField()
    balanceSocietal = serializers.FloatField()
    ratioFinancial = serializers.FloatField(allow_null=True)
    ratioSocietal = serializers.FloatField(allow_null=True)
    ratioMunicipal = serializers.FloatField(allow_null=True)
    byActor = ActorResultSerializer(many=True)
    lines = LineSerializer(many=True)
    pricesUsed = serializers.DictField(child=serializers.FloatField())
    placeholderPricesUsed = serializers.ListField(child=serializers.CharField())
