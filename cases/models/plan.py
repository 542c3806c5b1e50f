"""The plan (issue: one plan per household): goals, low-domain reasons, agreements, network, family approach
and the safety override."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case
from .household import Household, Person
from .organisation import StaffMembership


class PlanStatus(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    FINALISED = "vastgesteld", _("Vastgesteld")
    EVALUATED = "geevalueerd", _("Geëvalueerd")


class Plan(models.Model):
    """One household plan (plan van aanpak). A case has at most one active (not evaluated) version."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField(_("versie"))
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.CONCEPT)
    covered_persons = models.ManyToManyField(Person, related_name="plans", verbose_name=_("gezinsleden in het plan"))
    own_responsibility = models.TextField(_("eigen verantwoordelijkheid van de cliënt"), blank=True)
    review_date = models.DateField(_("evaluatiedatum"), null=True, blank=True)
    finalised_on = models.DateField(_("vastgesteld op"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    evaluated_on = models.DateField(_("geëvalueerd op"), null=True, blank=True)
    evaluation = models.TextField(_("evaluatie"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-version"]
        verbose_name = _("plan van aanpak")
        verbose_name_plural = _("plannen van aanpak")
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_unique_version"),
            models.UniqueConstraint(fields=["case"], condition=~Q(status="geevalueerd"), name="plan_one_active_per_case"),
            models.CheckConstraint(
                condition=Q(status="concept") | Q(finalised_on__isnull=False), name="plan_finalised_has_date"
            ),
        ]

    def __str__(self):
        return f"Plan v{self.version}"


class ActorType(models.TextChoices):
    CLIENT = "client", _("Cliënt")
    NETWORK = "netwerk", _("Iemand uit het netwerk")
    WORKER = "medewerker", _("Medewerker wijkteam")
    EXTERNAL = "extern", _("Externe organisatie")


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey("zrm.Domain", on_delete=models.PROTECT, related_name="+", verbose_name=_("domein"))
    description = models.TextField(_("doel"))
    target_score = models.PositiveSmallIntegerField(_("beoogde score"), null=True, blank=True)
    target_date = models.DateField(_("streefdatum"), null=True, blank=True)
    actor_type = models.CharField(_("verantwoordelijke"), max_length=12, choices=ActorType.choices, blank=True)
    actor_name = models.CharField(_("naam verantwoordelijke"), max_length=200, blank=True)
    achieved = models.BooleanField(_("behaald"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_score__isnull=True) | Q(target_score__gte=1, target_score__lte=5),
                name="goal_target_score_range",
            ),
        ]


class NoGoalReason(models.TextChoices):
    OTHER_AGENCY = "andere_instantie", _("Andere instantie helpt al")
    NO_REQUEST = "geen_hulpvraag", _("Geen hulpvraag")
    CLIENT_MANAGES = "client_kan_zelf", _("Cliënt kan het zelf")
    OTHER = "overig", _("Overig")


class LowDomainReason(models.Model):
    """Why a domain scored ≤ 3 has no goal in this plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="low_domain_reasons")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey("zrm.Domain", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reden"), max_length=20, choices=NoGoalReason.choices)
    explanation = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "person", "domain"], name="lowdomain_unique"),
            models.CheckConstraint(condition=~Q(reason="overig") | ~Q(explanation=""), name="lowdomain_other_text"),
        ]


class FollowedUp(models.TextChoices):
    YES = "ja", _("Ja")
    PARTLY = "deels", _("Deels")
    NO = "nee", _("Nee")


class Agreement(models.Model):
    """Who does what by when. Own-effort agreements are those of the client or the network."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    actor_type = models.CharField(_("wie"), max_length=12, choices=ActorType.choices)
    actor_name = models.CharField(_("naam"), max_length=200, blank=True)
    description = models.TextField(_("wat"))
    due_date = models.DateField(_("wanneer"), null=True, blank=True)
    followed = models.CharField(_("nagekomen"), max_length=5, choices=FollowedUp.choices, blank=True)

    class Meta:
        ordering = ["pk"]

    @property
    def is_own_effort(self) -> bool:
        return self.actor_type in (ActorType.CLIENT, ActorType.NETWORK)


class NetworkMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="network")
    name = models.CharField(_("naam"), max_length=200)
    relation = models.CharField(_("relatie"), max_length=100)
    supportive = models.BooleanField(_("steunend"), default=True, help_text=_("Uit = belemmerend"))
    agreed_contribution = models.CharField(_("afgesproken bijdrage"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]


class NetworkAssessment(models.Model):
    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="network_assessment")
    explored = models.BooleanField(_("netwerk verkend"), default=False)
    contacted = models.BooleanField(_("netwerk benaderd"), default=False)
    contribution_agreed = models.BooleanField(_("bijdrage afgesproken"), default=False)
    reason_not_used = models.CharField(_("reden als het netwerk niet wordt ingezet"), max_length=500, blank=True)


class FamilyApproach(models.Model):
    """Per household member: spoken to (reason if not), needs support, receives support."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="family_approach")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    spoken_to = models.BooleanField(_("gesproken"), default=False)
    reason_not_spoken = models.CharField(_("reden niet gesproken"), max_length=500, blank=True)
    needs_support = models.BooleanField(_("heeft ondersteuning nodig"), default=False)
    receives_support = models.BooleanField(_("krijgt ondersteuning"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="familyapproach_unique"),
            models.CheckConstraint(condition=Q(spoken_to=True) | ~Q(reason_not_spoken=""),
                                   name="familyapproach_reason_if_not_spoken"),
        ]


class SafetyOverride(models.Model):
    """A team leader's recorded decision that a safety case may proceed without all members spoken to."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="safety_override")
    team_leader = models.ForeignKey(StaffMembership, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reden"), max_length=500)
    recorded_on = models.DateField()
