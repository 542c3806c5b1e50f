"""Reporting tables: derived data only, rebuilt from the registration (reporting/engine.py).

- CaseFact: one row per case with what the indicators need (dates, norms, household type and
  category), so the aggregate queries read one narrow table.
- PersonProgress + DomainProgress: per person and case, baseline vs latest ZRM (DOMAIN.md §2),
  denormalised with team, wijk, household type, age group and director for cutting.
- ReportPeriod: the calendar (month, quarter, year) the aggregates are computed for.
- CasePeriod: the periods each case was open in (open at the end, monitoring, director then).
- ReportDay: the calendar (each day's month, quarter and year) for equality joins.
- FineSum: per indicator the additive sums per team x wijk x month (or period) x keys.
- AggregateCell: a long table of aggregate cells: scope (team, wijk, all teams) x period x
  indicator x keys -> count, value, base (the n a mean or share is computed over).
- RebuildRun: every rebuild (nightly, incremental), with status and error, for the beheerder.

Foreign keys here carry no database constraint: the rows are derived, rebuilt wholesale, and
must never block a write in the registration.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


def _fk(to, **kwargs):
    return models.ForeignKey(to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **kwargs)


class TeamCaseCount(models.Model):
    """Open cases per team, recomputed by a Celery task (reporting.tasks.recount_open_cases)."""

    team = models.OneToOneField("cases.Team", on_delete=models.CASCADE, related_name="case_count")
    open_cases = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "aantal open casussen per team"
        verbose_name_plural = "aantallen open casussen per team"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Maand")
    QUARTER = "quarter", _("Kwartaal")
    YEAR = "year", _("Jaar")


class ReportPeriod(models.Model):
    kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(help_text="exclusive")
    last_day = models.DateField()
    # month: year * 12 + month - 1; quarter: year * 4 + quarter - 1; year: the year (reporting/facts._period_number)
    seq = models.IntegerField(default=0)

    class Meta:
        ordering = ["kind", "-start_date"]
        constraints = [models.UniqueConstraint(fields=["kind", "start_date"], name="reporting_period_unique")]
        indexes = [models.Index(fields=["kind", "seq"], name="reporting_period_seq_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start_date:%Y-%m-%d}"


class ReportDay(models.Model):
    """The calendar: each day with each period (month, quarter, year) it lies in, so facts join their
    period on equality (a hash join) instead of a date range."""

    day = models.DateField()
    period = models.ForeignKey(ReportPeriod, on_delete=models.CASCADE, related_name="days")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "period"], name="reporting_day_unique")]


class CaseFact(models.Model):
    case = models.OneToOneField("cases.Case", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    team = _fk("cases.Team")
    household = _fk("cases.Household")
    wijk = models.CharField(max_length=100, blank=True)
    regisseur = _fk("cases.StaffMembership", null=True)
    status = models.CharField(max_length=20)
    melding_date = models.DateField()
    melding_source = _fk("cases.MeldingSource")
    first_contact_date = models.DateField(null=True)
    contact_days = models.IntegerField(null=True)
    closed_on = models.DateField(null=True)
    closure_reason = _fk("cases.ClosureReason", null=True)
    reopened = models.BooleanField(default=False)
    days_since_previous_closure = models.IntegerField(null=True)
    household_type = models.CharField(max_length=10)
    first_plan_date = models.DateField(null=True)
    nulmeting_date = models.DateField(null=True)
    # The heaviest LPBL category among the baseline ZRMs of the case's persons; '' without a ZRM.
    household_category = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["team", "melding_date"], name="reporting_fact_team_idx"),
            models.Index(fields=["wijk", "melding_date"], name="reporting_fact_wijk_idx"),
            models.Index(fields=["regisseur"], name="reporting_fact_regisseur_idx"),
        ]


class CasePeriod(models.Model):
    """A case in a period it was open in (on any day of it): whether it was still open at the period's end
    (its last day, or today for the current period), in monitoring then, and who directed it then."""

    case = _fk("cases.Case")
    period = _fk(ReportPeriod)
    open_at_end = models.BooleanField(default=False)
    monitoring = models.BooleanField(default=False)
    regisseur = _fk("cases.StaffMembership", null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "period"], name="reporting_caseperiod_unique")]
        indexes = [models.Index(fields=["period", "open_at_end"], name="reporting_caseperiod_idx")]


class PersonProgress(models.Model):
    """Baseline (first effective vastgestelde ZRM in the case) against latest (the last one)."""

    person = _fk("cases.Person")
    case = _fk("cases.Case")
    team = _fk("cases.Team")
    wijk = models.CharField(max_length=100, blank=True)
    household_type = models.CharField(max_length=10)
    age_group = models.CharField(max_length=12)
    regisseur = _fk("cases.StaffMembership", null=True)
    baseline_measurement = _fk("zrm.Measurement")
    latest_measurement = _fk("zrm.Measurement")
    baseline_date = models.DateField()
    latest_date = models.DateField()
    measurement_count = models.PositiveIntegerField()
    basis_version = _fk("zrm.InstrumentVersion")
    crossed_versions = models.BooleanField(default=False)
    has_followup = models.BooleanField(default=False)
    domains_improved = models.PositiveSmallIntegerField(default=0)
    domains_equal = models.PositiveSmallIntegerField(default=0)
    domains_worse = models.PositiveSmallIntegerField(default=0)
    baseline_problem_domains = models.PositiveSmallIntegerField()
    latest_problem_domains = models.PositiveSmallIntegerField()
    baseline_acute_domains = models.PositiveSmallIntegerField()
    latest_acute_domains = models.PositiveSmallIntegerField()
    baseline_bucket = models.CharField(max_length=5)
    latest_bucket = models.CharField(max_length=5)
    baseline_category = models.CharField(max_length=30)
    latest_category = models.CharField(max_length=30)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "case"], name="reporting_progress_unique")]
        indexes = [
            models.Index(fields=["case", "person"], name="reporting_progress_case_idx"),
            models.Index(fields=["team", "latest_date"], name="reporting_progress_team_idx"),
            models.Index(fields=["regisseur"], name="reporting_progress_dir_idx"),
        ]


class DomainProgress(models.Model):
    """One domain of a PersonProgress, read on the basis version (mapped when versions crossed).
    latest_score is empty for a person without a follow-up measurement."""

    person = _fk("cases.Person")
    case = _fk("cases.Case")
    domain = _fk("zrm.Domain")
    baseline_score = models.PositiveSmallIntegerField(null=True)
    latest_score = models.PositiveSmallIntegerField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "person", "domain"], name="reporting_domain_unique")]


class FineSum(models.Model):
    """The finest-grain sums of an indicator: per team, wijk and month (or, for facts per period, per
    period) and keys, up to eight additive sums. Cells are rolled up from these, so a change to one case
    only recomputes its team and wijk's rows of the months it touched (reporting/indicators.Spec)."""

    indicator = models.CharField(max_length=40)
    team = _fk("cases.Team")
    wijk = models.CharField(max_length=100, blank=True)
    period = _fk(ReportPeriod)
    key1 = models.CharField(max_length=100, blank=True, default="")
    key2 = models.CharField(max_length=100, blank=True, default="")
    key3 = models.CharField(max_length=100, blank=True, default="")
    s1 = models.BigIntegerField(null=True)
    s2 = models.BigIntegerField(null=True)
    s3 = models.BigIntegerField(null=True)
    s4 = models.BigIntegerField(null=True)
    s5 = models.BigIntegerField(null=True)
    s6 = models.BigIntegerField(null=True)
    s7 = models.BigIntegerField(null=True)
    s8 = models.BigIntegerField(null=True)
    s9 = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["indicator", "period"], name="reporting_finesum_idx")]


class ScopeKind(models.TextChoices):
    TEAM = "team", _("Team")
    WIJK = "wijk", _("Wijk")
    ALL = "all", _("Alle teams")


class AggregateCell(models.Model):
    scope_kind = models.CharField(max_length=5, choices=ScopeKind.choices)
    scope_key = models.CharField(max_length=100, blank=True)
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    indicator = models.CharField(max_length=40)
    key1 = models.CharField(max_length=100, blank=True, default="")
    key2 = models.CharField(max_length=100, blank=True, default="")
    key3 = models.CharField(max_length=100, blank=True, default="")
    count = models.IntegerField(null=True)
    value = models.FloatField(null=True)
    base = models.IntegerField(null=True, help_text="the number of persons or cases a value is computed over")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope_kind", "scope_key", "period_kind", "period_start", "indicator", "key1", "key2", "key3"],
                name="reporting_cell_unique",
            ),
        ]
        # The unique index serves one scope's cells of a period (its first four columns); this one all
        # teams' cells of a period (the gemeente's comparison).
        indexes = [
            models.Index(fields=["period_kind", "period_start", "scope_kind"], name="reporting_cell_period_idx"),
        ]


class RebuildStatus(models.TextChoices):
    RUNNING = "running", _("Bezig")
    SUCCESS = "success", _("Gelukt")
    FAILED = "failed", _("Mislukt")


class RebuildKind(models.TextChoices):
    FULL = "full", _("Volledig (nachtelijk)")
    INCREMENTAL = "incremental", _("Bijwerken na wijziging")


class RebuildRun(models.Model):
    """One rebuild of the reporting tables. A failed run rolled back: the previous figures stand."""

    kind = models.CharField(_("soort"), max_length=12, choices=RebuildKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RebuildStatus.choices,
                              default=RebuildStatus.RUNNING)
    trigger = models.CharField(_("aanleiding"), max_length=100, blank=True)
    scope = models.CharField(_("bereik"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("gestart"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duur (ms)"), null=True, blank=True)
    cells_written = models.PositiveIntegerField(_("cellen"), null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(_("poging"), default=1)
    error = models.TextField(_("fout"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("herberekening rapportage")
        verbose_name_plural = _("herberekeningen rapportage")
        indexes = [models.Index(fields=["status", "kind"], name="reporting_run_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


# --- Not derived: the research extract's requests ---------------------------------------------------------

class ResearchRequest(models.Model):
    """One call of the research extract: which client, when, which page, and the purpose it stated.

    The stated purpose is free text, so it stays here, never in the permanent audit log (issue 15, finding
    3): the call's audit row names this row and carries the code "onderzoek". Retention clears the text
    (reporting.research_requests.apply_retention, after cases' retention job).
    """

    client = models.ForeignKey("common.ApiClient", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("tijdstip"), db_index=True)
    page = models.CharField(_("pagina"), max_length=20, blank=True)
    purpose = models.CharField(_("opgegeven doel"), max_length=500)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("aanvraag onderzoeksbestand")
        verbose_name_plural = _("aanvragen onderzoeksbestand")
        constraints = [models.CheckConstraint(condition=~models.Q(purpose=""), name="researchrequest_has_purpose")]
