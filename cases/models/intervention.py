"""Interventions (trajectories) and escalations."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case
from .household import Person
from .organisation import CodeList


class InterventionType(CodeList):
    """The LPBL trajectory types (DOMAIN.md §4). Codes are shared by the API, imports and the MKBA price book."""

    class Meta(CodeList.Meta):
        verbose_name = _("soort traject")
        verbose_name_plural = _("soorten trajecten")


class TeamAction(models.TextChoices):
    RUNNING = "lopend", _("Liep al bij de start")
    STARTED = "gestart", _("Gestart door het team")
    STOPPED = "gestopt", _("Gestopt door het team")


class Deliverer(models.TextChoices):
    TEAM = "team", _("Het team zelf")
    NETWORK = "netwerk", _("Eigen netwerk (eigen kracht)")
    EXTERNAL = "extern", _("Externe professional")


class DeviationReason(models.TextChoices):
    WAITING_LIST = "wachtlijst", _("Wachtlijst")
    NO_CAPACITY = "geen_capaciteit", _("Geen capaciteit")
    NO_BUDGET = "geen_budget", _("Geen budget")
    NOT_PROCURED = "niet_ingekocht", _("Niet ingekocht")
    OTHER = "overig", _("Overig")


class OtherSubcategory(models.TextChoices):
    PRACTICAL = "praktische_zaken", _("Praktische zaken")
    SUPPORT = "begeleiding", _("Begeleiding")
    CONSULTATION = "overleg", _("Overleg")
    REFERRAL = "verwijzing", _("Verwijzing")


class Intervention(models.Model):
    """A trajectory (traject) in a case: what the MKBA counts as extra care or substitution."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    type = models.ForeignKey(InterventionType, on_delete=models.PROTECT, related_name="+", verbose_name=_("soort"))
    subcategory = models.CharField(_("subcategorie"), max_length=20, choices=OtherSubcategory.choices, blank=True)
    provider = models.CharField(_("aanbieder"), max_length=200, blank=True)
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    team_action = models.CharField(_("rol van het team"), max_length=10, choices=TeamAction.choices)
    deliverer = models.CharField(_("uitgevoerd door"), max_length=10, choices=Deliverer.choices)
    would_have_started_without_team = models.BooleanField(_("was ook zonder het team gestart"), null=True, blank=True)
    monthly_hours = models.DecimalField(_("uren lichte ondersteuning per maand"), max_digits=5, decimal_places=1,
                                        null=True, blank=True)
    most_appropriate_type = models.ForeignKey(InterventionType, on_delete=models.PROTECT, null=True, blank=True,
                                              related_name="+", verbose_name=_("meest passende hulp"))
    deviation_reason = models.CharField(_("reden afwijking"), max_length=20, choices=DeviationReason.choices,
                                        blank=True)
    replaces_type = models.ForeignKey(InterventionType, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("vervangt traject"))
    bridging_for = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="bridges",
                                     verbose_name=_("overbrugging voor (wachtlijst)"))
    on_waiting_list = models.BooleanField(_("op wachtlijst"), default=False)
    carried_out_at_6_months = models.BooleanField(_("uitgevoerd na 6 maanden"), null=True, blank=True)
    external_id = models.CharField(
        _("extern kenmerk"), max_length=64, null=True, blank=True,
        help_text=_("Sleutel uit het bronsysteem (import); uniek als hij is ingevuld."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("traject")
        verbose_name_plural = _("trajecten")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="intervention_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(monthly_hours__isnull=True) | Q(monthly_hours__gte=0),
                                   name="intervention_hours_nonnegative"),
            models.CheckConstraint(
                condition=Q(most_appropriate_type__isnull=True) | Q(most_appropriate_type=models.F("type"))
                | ~Q(deviation_reason=""),
                name="intervention_deviation_has_reason",
            ),
            models.UniqueConstraint(fields=["external_id"], condition=Q(external_id__isnull=False),
                                    name="intervention_unique_external_id"),
        ]


class EscalationKind(models.TextChoices):
    EVICTION = "huisuitzetting", _("Huisuitzetting")
    OTS = "ots", _("Ondertoezichtstelling (OTS)")
    UHP = "uhp", _("Uithuisplaatsing (UHP)")
    NURSING_HOME = "opname_vv", _("Opname verpleeg-/verzorgingshuis")
    MENTAL_HEALTH = "opname_ggz", _("Opname GGZ")


class Escalation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="escalations")
    kind = models.CharField(_("soort"), max_length=20, choices=EscalationKind.choices)
    prevented = models.BooleanField(_("voorkomen"), help_text=_("Aan = voorkomen, uit = opgetreden"))
    prevented_by = models.ForeignKey(Intervention, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="prevented_escalations", verbose_name=_("voorkomen door"))
    children_count = models.PositiveSmallIntegerField(_("aantal kinderen"), null=True, blank=True)
    date = models.DateField(_("datum"))
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="uhp") | Q(children_count__gte=1), name="escalation_uhp_children"),
            models.CheckConstraint(condition=Q(prevented=True) | Q(prevented_by__isnull=True),
                                   name="escalation_prevented_by_only_if_prevented"),
        ]
