"""What every app records and no domain owns: the audit log, the machine clients of the API and the
four-eyes requests that grant access to personal data.

Both were first defined in the cases app and keep their tables (db_table) there: moving them here
changed the migration state only (common/migrations/0001_initial.py). The audit log still refers
to cases' persons and cases by foreign key, by name ("cases.Person"): no import of a higher layer.
"""
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("aanmaken")
    READ = "read", _("inzien")
    SEARCH = "search", _("zoeken")
    UPDATE = "update", _("wijzigen")
    DELETE = "delete", _("verwijderen")
    EXPORT = "export", _("exporteren")
    PRINT = "print", _("afdrukken")


class AuditPurpose(models.TextChoices):
    """Why personal data were processed: a fixed code list, never text a user typed (issue 15, finding 3).

    The audit log is permanent and retention never reaches it, so free text (a break-the-glass reason, a
    research request's stated purpose) stays with its own record under retention (BreakGlassAccess,
    ResearchRequest); the audit row names that record (object_type, object_id) and carries one of these codes.
    A value is the purpose text the rows carried before the list existed, so old and new rows agree.
    A new code needs a migration that re-creates the check constraint NOT VALID (common/migrations/0002).
    """

    CASEWORK = "uitvoering wijkteamtaak", _("uitvoering wijkteamtaak")
    BREAK_GLASS = "break-the-glass", _("break-the-glass (inzage in de casus van een ander team)")
    BREAK_GLASS_OVERSIGHT = "toezicht op break-the-glass", _("toezicht op break-the-glass")
    REGIECHECK = "regiecheck", _("regiecheck")
    REGIECHECK_SUMMARY = "regiecheck: samenvatting gedeeld", _("regiecheck: samenvatting gedeeld")
    REGIECHECK_LINK = "regiecheck: persoon gekoppeld", _("regiecheck: persoon aan een huishouden gekoppeld")
    SUBJECT_ACCESS = "inzageverzoek (AVG art. 15)", _("inzageverzoek (AVG art. 15)")
    IMPORT = "registratie-import (koppeling of migratie)", _("registratie-import (koppeling of migratie)")
    ZRM_FINALISED = "ZRM-meting vastgesteld", _("ZRM-meting vastgesteld")
    ZRM_CORRECTION = "ZRM-correctie", _("ZRM-correctie")
    ZRM_CORRECTED = "ZRM-meting gecorrigeerd", _("ZRM-meting gecorrigeerd")
    ZRM_HISTORY = "ZRM-historie inzien", _("ZRM-historie inzien")
    ZRM_HOUSEHOLD_HISTORY = "ZRM-historie huishouden inzien", _("ZRM-historie huishouden inzien")
    STEERING = "sturingsinformatie", _("sturingsinformatie")
    STEERING_EXPORT = "export sturingsinformatie", _("export sturingsinformatie")
    STEERING_API = "sturingsinformatie gemeente (API)", _("sturingsinformatie gemeente (API)")
    MKBA = "maatschappelijke kosten-batenanalyse", _("maatschappelijke kosten-batenanalyse")
    RESEARCH = "onderzoek", _("onderzoek (gepseudonimiseerd onderzoeksbestand)")
    RETENTION = ("bewaartermijn verstreken: anonimiseren en vrije tekst verwijderen",
                 _("bewaartermijn verstreken: anonimiseren en vrije tekst verwijderen"))
    ADMIN = "functioneel beheer", _("functioneel beheer")
    DEMO = "demogegevens aanmaken", _("demogegevens aanmaken")


class AuditEvent(models.Model):
    """Append-only log of every processing of personal data (NEN 7513 fields).

    Rows are only ever inserted through common.audit.record(); PostgreSQL rejects UPDATE, DELETE and
    TRUNCATE with triggers. A row goes in unsealed; the sealer chains it into the keyed chain
    (AuditSeal, common/audit_chain.py) moments later.
    """

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    on_behalf_of = models.CharField(max_length=200, blank=True)
    client = models.CharField(max_length=200, blank=True, help_text=_("API-client of 'web'"))
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64)
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    purpose = models.CharField(max_length=200, choices=AuditPurpose.choices)  # a code, never free text
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    # A new field must default to null or "": a seal covers every field that is not empty (audit_chain.py).
    # A change to configuration or access (functioneel beheer): which fields, before and after, as ids and codes;
    # names, e-mail addresses and secrets appear only as "gewijzigd" (common.admin_audit). Null for other rows.
    changes = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "cases_auditevent"  # the append-only trigger is on this table (cases/migrations/0003)
        ordering = ["-at", "-pk"]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        # NOT VALID in the database (migration 0002): rows from before the code list keep their text.
        constraints = [models.CheckConstraint(condition=Q(purpose__in=AuditPurpose.values),
                                              name="audit_purpose_in_code_list")]


class AuditSeal(models.Model):
    """The keyed chain over the audit log: one seal per audit row, in the order the sealer chained them.

    seal_hash = HMAC-SHA256 (key `key_id` of AUDIT_CHAIN_KEYS, held outside the database) over the row's
    fields, seq, sealed_at and prev_hash, the seal_hash of seq - 1. Insert-only, like the audit rows
    (migration 0002's triggers); only the sealer (common.audit_chain.seal_pending) inserts.
    """

    seq = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.DO_NOTHING, related_name="seal")
    key_id = models.CharField(max_length=32)
    sealed_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    seal_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("auditzegel")
        verbose_name_plural = _("auditzegels")


class AuditSealQueue(models.Model):
    """Audit rows waiting for their seal: filled by a trigger on every insert, emptied by the sealer.

    The sealer reads this short queue instead of searching the whole log for unsealed rows.
    """

    event_id = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = _("auditregel zonder zegel")


# --- Machine access (API clients) ----------------------------------------------------------------

class Scope(models.TextChoices):
    AGGREGATES_READ = "aggregaten.lezen", _("Geaggregeerde cijfers lezen (gemeente)")
    REGISTRATION_READ = "registratie.lezen", _("Registratie lezen (koppeling, beperkt tot teams)")
    REGISTRATION_WRITE = "registratie.schrijven", _("Registratie schrijven (koppeling, beperkt tot teams)")
    RESEARCH_READ = "onderzoek.lezen", _("Gepseudonimiseerd onderzoeksbestand lezen")
    MKBA_READ = "mkba.lezen", _("MKBA berekenen en lezen")


# Scopes that reach personal data (the research extract is pseudonymised, which is still personal data).
# Granting one needs a second beheerder (common.grants); aggregaten.lezen and mkba.lezen do not.
PERSONAL_DATA_SCOPES = frozenset({Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE, Scope.RESEARCH_READ})
REGISTRATION_SCOPES = frozenset({Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE})


class ApiClient(models.Model):
    """A machine client of the REST API. Its token is shown once and stored only as a SHA-256 hash."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    token_prefix = models.CharField(max_length=8, db_index=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    teams = models.ManyToManyField("cases.Team", blank=True, related_name="api_clients",
                                   db_table="cases_apiclient_teams",
                                   verbose_name=_("teams (voor registratie-scopes)"))
    pseudonym_key = models.CharField(max_length=64, editable=False,
                                     help_text=_("Sleutel voor de pseudoniemen in het onderzoeksbestand van deze client."))
    active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "cases_apiclient"
        ordering = ["name"]
        verbose_name = _("API-client")
        verbose_name_plural = _("API-clients")

    def __str__(self):
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


# --- Staff sign-in: first enrolment of an authenticator app ----------------------------------------

class EnrolmentCode(models.Model):
    """A one-time code a beheerder issues so that an account can link its first authenticator app.

    Without it, anyone who learned an account's password could link their own app to it. Only an HMAC of the
    code is stored; it is shown once, works once (used_at) and expires (common.enrolment).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inschrijfcode tweestapsverificatie")
        verbose_name_plural = _("inschrijfcodes tweestapsverificatie")


# --- Four eyes on access to personal data --------------------------------------------------------

class GrantDecision(models.TextChoices):
    PENDING = "aangevraagd", _("Wacht op beoordeling")
    APPROVED = "goedgekeurd", _("Goedgekeurd")
    REJECTED = "afgewezen", _("Afgewezen")


class AccessGrantRequest(models.Model):
    """A change that gives access to personal data, requested by one beheerder and applied only when another
    approves (common.grants): an API client with a personal-data scope, a staff membership or role.

    Until it is approved nothing changes: the client keeps its scopes and teams, the membership does not
    exist or keeps its old role and team. `kind` names the applier that a layer registered (common.grants);
    `before` and `after` are the target's state as ids and codes. The database refuses a decision by the
    requester and any change to a decided request.
    """

    kind = models.CharField(_("soort"), max_length=40)
    target_type = models.CharField(max_length=50)
    target_id = models.CharField(max_length=64, blank=True, help_text=_("Leeg voor iets nieuws tot de goedkeuring."))
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("aangevraagd door"))
    requested_at = models.DateTimeField(_("aangevraagd op"))
    decision = models.CharField(_("beslissing"), max_length=20, choices=GrantDecision.choices,
                                default=GrantDecision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("beoordeeld door"))
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    # Free text stays here (not in the audit log, which is permanent).
    reason = models.TextField(_("toelichting bij de beslissing"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("toegangsaanvraag")
        verbose_name_plural = _("toegangsaanvragen (vier ogen)")
        constraints = [
            # Four eyes: the account that asked never decides.
            models.CheckConstraint(condition=~Q(decided_by=F("requested_by")), name="grant_decided_by_another"),
            models.CheckConstraint(
                condition=(Q(decision=GrantDecision.PENDING, decided_by__isnull=True, decided_at__isnull=True)
                           | (~Q(decision=GrantDecision.PENDING) & Q(decided_by__isnull=False,
                                                                      decided_at__isnull=False))),
                name="grant_decision_complete",
            ),
        ]
        triggers = [
            # A decision is final: pending -> approved or rejected, and a decided request never changes again.
            pgtrigger.Trigger(
                name="grant_decided_is_final", when=pgtrigger.Before, operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__decision__in=[GrantDecision.APPROVED, GrantDecision.REJECTED]),
                func="RAISE EXCEPTION 'grant_decided_is_final: a decided access request never changes' "
                     "USING ERRCODE = 'check_violation';",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_kind_display(self) -> str:
        from .grants import kind_label

        return kind_label(self.kind)
