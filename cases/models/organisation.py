"""Code lists, organisations, teams and staff: who works where, in which role."""
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.validators import validate_postcode_area


class CodeList(models.Model):
    """A municipality-extensible code list entry. Codes are stable; labels are what users see."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label = models.CharField(_("omschrijving"), max_length=200)
    order = models.PositiveIntegerField(_("volgorde"), default=0)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self):
        return self.label


class MeldingSource(CodeList):
    class Meta(CodeList.Meta):
        verbose_name = _("meldingsbron")
        verbose_name_plural = _("meldingsbronnen")


class ClosureReason(CodeList):
    class Meta(CodeList.Meta):
        verbose_name = _("reden van afsluiting")
        verbose_name_plural = _("redenen van afsluiting")


class Organisation(models.Model):
    """A moederorganisatie: welfare, youth care, GGZ, the municipality's desks, ..."""

    name = models.CharField(_("naam"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("moederorganisatie")
        verbose_name_plural = _("moederorganisaties")

    def __str__(self):
        return self.name


class Team(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    municipality = models.CharField(_("gemeente"), max_length=200)
    postcode_areas = models.JSONField(
        _("werkgebied (postcodes, 4 cijfers)"), default=list, blank=True,
        validators=[validate_postcode_area],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    SOCIAL_WORKER = "sociaal_werker", _("Sociaal werker")
    TEAM_LEADER = "teamleider", _("Teamleider")
    MUNICIPALITY = "gemeente", _("Gemeente")
    ADMINISTRATOR = "beheerder", _("Functioneel beheerder")
    # The privacy officer (functionaris gegevensbescherming): answers subject-access requests; no team,
    # no case work (issue 8).
    PRIVACY_OFFICER = "privacy", _("Privacy officer")


# Roles that work with personal data inside a team.
TEAM_ROLES = (Role.SOCIAL_WORKER, Role.TEAM_LEADER)
# Separation of duties: who grants access (beheerder) never works with the cases (team roles).
SEPARATED_ROLES = (Role.ADMINISTRATOR, *TEAM_ROLES)


def _sql_list(roles) -> str:
    return ", ".join(f"'{role.value}'" for role in roles)


class StaffMembership(models.Model):
    """A user's place in the organisation. Team roles need a team; gemeente/beheerder do not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    fte = models.DecimalField(_("fte"), max_digits=3, decimal_places=2, default=1)
    discipline = models.CharField(_("discipline"), max_length=100, blank=True)
    home_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("moederorganisatie")
    )
    active = models.BooleanField(_("actief"), default=True)
    # Contact details a regiecheck gives for a director (with the user's e-mail address).
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("teamlidmaatschap")
        verbose_name_plural = _("teamlidmaatschappen")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="staff_unique_user_team"),
            models.CheckConstraint(
                condition=~Q(role__in=[r.value for r in TEAM_ROLES]) | Q(team__isnull=False),
                name="staff_team_role_needs_team",
            ),
            models.CheckConstraint(condition=Q(fte__gte=0) & Q(fte__lte=1.5), name="staff_fte_range"),
        ]
        triggers = [
            # Separation of duties: a beheerder never holds a team role (cases.services.staff checks it first).
            # The user's row is locked so two concurrent memberships cannot both pass.
            pgtrigger.Trigger(
                name="staff_beheerder_no_team_role",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("user_id", "role", "active"),
                func=f"""
                IF NEW.active AND NEW.role IN ({_sql_list(SEPARATED_ROLES)}) THEN
                  PERFORM 1 FROM auth_user WHERE id = NEW.user_id FOR UPDATE;
                  IF EXISTS (
                      SELECT 1 FROM cases_staffmembership s
                      WHERE s.user_id = NEW.user_id AND s.active AND s.id IS DISTINCT FROM NEW.id
                        AND s.role IN ({_sql_list(SEPARATED_ROLES)})
                        AND (s.role = '{Role.ADMINISTRATOR.value}') <> (NEW.role = '{Role.ADMINISTRATOR.value}')) THEN
                    RAISE EXCEPTION 'staff_beheerder_no_team_role: a beheerder never holds a team role'
                      USING ERRCODE = 'check_violation';
                  END IF;
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.get_role_display()})"
