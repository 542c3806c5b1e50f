"""Teams, staff, households, persons and cases.

Invariants that matter are database constraints and triggers (see the Meta classes; the triggers are
declared with django-pgtrigger and installed by the migrations) as well as checks in cases/services.py.
"""
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.validators import validate_bsn, validate_postcode, validate_postcode_area

from .fields import BSNHashField, EncryptedBSNField


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

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.get_role_display()})"


class Household(models.Model):
    postcode = models.CharField(_("postcode"), max_length=6, validators=[validate_postcode])
    house_number = models.PositiveIntegerField(_("huisnummer"))
    house_number_addition = models.CharField(_("toevoeging"), max_length=10, blank=True)
    street = models.CharField(_("straat"), max_length=200)
    city = models.CharField(_("plaats"), max_length=100)
    wijk = models.CharField(_("wijk"), max_length=100, blank=True)
    external_id = models.CharField(
        _("extern kenmerk"), max_length=64, null=True, blank=True,
        help_text=_("Sleutel uit het bronsysteem (import); uniek als hij is ingevuld."),
    )
    # Set by the retention job (cases.retention) when the household's personal data and free text were removed.
    anonymised_on = models.DateField(_("geanonimiseerd op"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("huishouden")
        verbose_name_plural = _("huishoudens")
        indexes = [models.Index(fields=["postcode", "house_number"], name="household_address_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(house_number__gte=1), name="household_house_number_positive"),
            models.UniqueConstraint(fields=["external_id"], condition=Q(external_id__isnull=False),
                                    name="household_unique_external_id"),
        ]

    @property
    def address(self) -> str:
        number = f"{self.house_number}{self.house_number_addition}"
        return f"{self.street} {number}, {self.postcode[:4]} {self.postcode[4:]} {self.city}"

    def __str__(self):
        return self.address


class Person(models.Model):
    # Encrypted at rest; bsn_hash (a keyed hash) serves exact lookups. See cases/crypto.py.
    bsn = EncryptedBSNField(_("BSN"), null=True, blank=True, validators=[validate_bsn])
    bsn_hash = BSNHashField(null=True, blank=True)
    first_name = models.CharField(_("voornaam"), max_length=100)
    name_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    date_of_birth = models.DateField(_("geboortedatum"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        constraints = [
            models.UniqueConstraint(fields=["bsn_hash"], condition=Q(bsn_hash__isnull=False),
                                    name="person_unique_bsn_hash"),
            models.CheckConstraint(condition=Q(bsn__isnull=True, bsn_hash__isnull=True)
                                   | Q(bsn__isnull=False, bsn_hash__isnull=False), name="person_bsn_has_hash"),
        ]

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.name_prefix, self.last_name) if part)

    def __str__(self):
        return self.full_name


class MemberRole(models.TextChoices):
    PARENT = "ouder", _("Ouder")
    PARTNER = "partner", _("Partner")
    CHILD = "kind", _("Kind")
    OTHER = "overig", _("Overig")


class HouseholdMembership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_memberships")
    role = models.CharField(_("rol"), max_length=10, choices=MemberRole.choices)
    living_at_home = models.BooleanField(_("thuiswonend"), default=True)
    valid_from = models.DateField(_("geldig vanaf"))
    valid_to = models.DateField(_("geldig tot"), null=True, blank=True)

    class Meta:
        verbose_name = _("gezinslid")
        verbose_name_plural = _("gezinsleden")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person"], condition=Q(valid_to__isnull=True), name="membership_one_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_range",
            ),
        ]


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


# --- The plan (issue: one plan per household) -------------------------------------------------

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


# --- Interventions and escalations --------------------------------------------------------------

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


# --- Privacy (issue 8): break-the-glass, consent -------------------------------------------------

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
