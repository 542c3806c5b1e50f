"""Privacy (issue 8): break-the-glass accesses and the household's consents."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case
from .household import Household
from .organisation import Organisation, Team


class BreakGlassAccess(models.Model):
    """A worker's recorded, reasoned read access to another team's case, valid until `valid_until`.

    Grants reading the casus page and its plan versions only (cases.selectors.get_case_for with
    allow_break_glass=True); every write stays with the case's own team. Shown to the team leaders of the
    case's team and of the worker's own team.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, related_name="+",
                                       verbose_name=_("team van de medewerker"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glass_accesses")
    reason = models.TextField(_("reden"))
    at = models.DateTimeField(_("tijdstip"))
    valid_until = models.DateTimeField(_("geldig tot"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("doorbreking (break-the-glass)")
        verbose_name_plural = _("doorbrekingen (break-the-glass)")
        indexes = [models.Index(fields=["user", "case", "valid_until"], name="breakglass_user_case_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="breakglass_has_reason"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("at")), name="breakglass_valid_after_at"),
        ]


class ConsentPurpose(models.TextChoices):
    INFORMATION_SHARING = "informatiedeling", _("Informatiedeling met een partnerorganisatie")
    REGIECHECK = "regiecheck", _("Regiecheck")
    RESEARCH = "onderzoek", _("Onderzoek")
    OTHER = "overig", _("Overig")


class Consent(models.Model):
    """A household's recorded consent for a purpose (optionally with one partner organisation).

    A consent counts from `given_on` until it is withdrawn; withdrawn consents stay as history.
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("doel"), max_length=20, choices=ConsentPurpose.choices)
    partner_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("partnerorganisatie"),
    )
    description = models.CharField(_("toelichting"), max_length=500, blank=True)
    given_on = models.DateField(_("gegeven op"))
    withdrawn_on = models.DateField(_("ingetrokken op"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True, withdrawn_by__isnull=True)
                | Q(withdrawn_on__isnull=False, withdrawn_by__isnull=False),
                name="consent_withdrawn_has_who",
            ),
            models.CheckConstraint(condition=~Q(purpose="overig") | ~Q(description=""),
                                   name="consent_other_has_description"),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None
