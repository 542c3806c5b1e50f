"""Cases: status and its state machine (a database trigger generated from CASE_TRANSITIONS), director
assignments and the case timeline."""
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .household import Household
from .organisation import ClosureReason, MeldingSource, StaffMembership, Team


class CaseStatus(models.TextChoices):
    REGISTERED = "aangemeld", _("Aangemeld")
    IN_PROGRESS = "in_behandeling", _("In behandeling")
    CLOSED = "afgesloten", _("Afgesloten")


# The state machine: status -> the statuses it may move to. Reopening creates a new case.
# The one definition: the services check it (cases.services) and the database trigger below is generated from it.
CASE_TRANSITIONS = {
    CaseStatus.REGISTERED: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED},
    CaseStatus.IN_PROGRESS: {CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}


class StateMachineTrigger(pgtrigger.FSM):
    """pgtrigger's FSM, failing as a check violation (an IntegrityError, as the constraints do) that names itself."""

    def get_func(self, model):
        return super().get_func(model).replace(
            "'pgtrigger: Invalid transition", f"'{self.name}: invalid transition"
        ).replace("TG_TABLE_NAME;", "TG_TABLE_NAME USING ERRCODE = 'check_violation';")


class Case(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    melding_date = models.DateField(_("meldingsdatum"))
    melding_source = models.ForeignKey(MeldingSource, on_delete=models.PROTECT, verbose_name=_("bron van de melding"))
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    regisseur = models.ForeignKey(
        StaffMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="directed_cases",
        verbose_name=_("regisseur"),
    )
    first_contact_date = models.DateField(_("datum eerste contact"), null=True, blank=True)
    closed_on = models.DateField(_("datum afsluiting"), null=True, blank=True)
    closure_reason = models.ForeignKey(
        ClosureReason, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("reden van afsluiting")
    )
    safety_flag = models.BooleanField(_("veiligheid in het geding"), default=False)
    # Bemoeizorg (outreach to people who avoid care): with a recorded reason, a regiecheck may share a minimal
    # WHAT summary without the household's consent (DOMAIN.md §8).
    bemoeizorg_reason = models.CharField(_("reden bemoeizorg"), max_length=500, blank=True)
    reopened_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reopened_as",
        verbose_name=_("heropend vanuit"),
    )
    external_id = models.CharField(
        _("extern kenmerk"), max_length=64, null=True, blank=True,
        help_text=_("Sleutel uit het bronsysteem (import); uniek als hij is ingevuld."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        indexes = [
            models.Index(fields=["team", "status"], name="case_team_status_idx"),
            models.Index(fields=["regisseur", "status"], name="case_regisseur_status_idx"),
        ]
        triggers = [
            StateMachineTrigger(
                name="case_status_transition", field="status",
                transitions=[(old, new) for old, targets in CASE_TRANSITIONS.items() for new in sorted(targets)],
            ),
            # A case's director is a sociaal werker or teamleider of the case's own team.
            pgtrigger.Trigger(
                name="case_regisseur_in_team",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("regisseur_id", "team_id"),
                func="""
                IF NEW.regisseur_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM cases_staffmembership s
                    WHERE s.id = NEW.regisseur_id AND s.team_id = NEW.team_id
                      AND s.role IN ('sociaal_werker', 'teamleider')) THEN
                  RAISE EXCEPTION 'case_regisseur_in_team: director must belong to the case''s team'
                    USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=~Q(status="afgesloten"), name="case_one_open_per_household"
            ),
            models.CheckConstraint(
                condition=Q(status="afgesloten") | Q(regisseur__isnull=False), name="case_open_has_regisseur"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="afgesloten", closed_on__isnull=False, closure_reason__isnull=False)
                    | (~Q(status="afgesloten") & Q(closed_on__isnull=True, closure_reason__isnull=True))
                ),
                name="case_closed_iff_reason",
            ),
            models.CheckConstraint(
                condition=Q(first_contact_date__isnull=True) | Q(first_contact_date__gte=models.F("melding_date")),
                name="case_first_contact_after_melding",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("melding_date")),
                name="case_closed_after_melding",
            ),
            models.UniqueConstraint(fields=["external_id"], condition=Q(external_id__isnull=False),
                                    name="case_unique_external_id"),
        ]

    def __str__(self):
        return f"Casus {self.pk}"


class DirectorAssignment(models.Model):
    """History of who directed a case: from, to and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="director_assignments")
    regisseur = models.ForeignKey(StaffMembership, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("vanaf"))
    ended_on = models.DateField(_("tot"), null=True, blank=True)
    reason = models.CharField(_("reden"), max_length=500, blank=True)
    # Who assigned: a staff user, or (no user account) the API client that did it, as "api:<name>".
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    assigned_by_client = models.CharField(_("toegewezen door API-client"), max_length=200, blank=True, default="",
                                          db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="director_one_current_per_case"
            ),
            models.CheckConstraint(condition=Q(assigned_by__isnull=False) | ~Q(assigned_by_client=""),
                                   name="director_assigned_by_someone"),
        ]

    @property
    def assigned_by_label(self) -> str:
        user = self.assigned_by
        return (user.get_full_name() or user.get_username()) if user is not None else self.assigned_by_client


class CaseEventKind(models.TextChoices):
    MELDING = "melding", _("Melding geregistreerd")
    FIRST_CONTACT = "eerste_contact", _("Eerste contact")
    DIRECTOR = "regisseur", _("Regisseur toegewezen")
    TRANSFER = "overdracht", _("Regie overgedragen")
    CLOSED = "afgesloten", _("Casus afgesloten")
    REOPENED = "heropend", _("Casus heropend")
    MEMBER = "gezinslid", _("Gezinslid toegevoegd")
    OTHER = "overig", _("Overig")


class CaseEvent(models.Model):
    """The case timeline shown on the casus page. Written only by services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    occurred_on = models.DateField()
    description = models.CharField(max_length=500, blank=True)
    # Who acted: a staff user, or (no user account) the API client that did it, as "api:<name>".
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_client = models.CharField(_("door API-client"), max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_on", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(actor__isnull=False) | ~Q(actor_client=""), name="caseevent_has_actor"),
        ]

    @property
    def actor_label(self) -> str:
        user = self.actor
        return (user.get_full_name() or user.get_username()) if user is not None else self.actor_client
