"""The Zelfredzaamheid-Matrix as data: instruments, versions, domains, level labels, anchor texts,
the mapping between versions, and the measurements themselves (DOMAIN.md §2).

Invariants are database constraints (Meta classes below) and, on PostgreSQL, triggers
(migrations/0003_postgres_triggers.py: a vastgesteld measurement and its scores cannot be
updated or deleted). Every write goes through zrm/services.py.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Person, StaffMembership


class Cluster(models.TextChoices):
    """Groningen's reporting clusters on ZRM 2013; ZRM 2017 domains map onto the same clusters."""

    FINANCIEN = "financien", _("Financiën")
    OPVOEDING = "opvoeding", _("Opvoeding")
    PARTICIPATIE = "participatie", _("Participatie")
    FYSIEK = "fysiek", _("Fysiek")
    GEESTELIJK = "geestelijk", _("Geestelijk")
    JUSTITIE = "justitie", _("Justitie")


class Instrument(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("naam"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instrumenten")

    def __str__(self):
        return self.name


class InstrumentVersion(models.Model):
    """A version of an instrument. Exactly one version per instrument is the municipality's active one."""

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    year = models.PositiveIntegerField(_("jaar"))
    is_active = models.BooleanField(
        _("actieve versie"), default=False,
        help_text=_("Nieuwe metingen gebruiken de actieve versie; oude metingen houden hun eigen versie."),
    )

    class Meta:
        ordering = ["instrument", "year"]
        verbose_name = _("instrumentversie")
        verbose_name_plural = _("instrumentversies")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument"], condition=Q(is_active=True), name="zrm_one_active_version_per_instrument"
            ),
        ]

    def __str__(self):
        return self.name


class Domain(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="domains")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("naam"), max_length=200)
    aliases = models.JSONField(_("andere namen"), default=list, blank=True)
    order = models.PositiveIntegerField(_("volgorde"))
    cluster = models.CharField(_("cluster"), max_length=20, choices=Cluster.choices)
    is_child_module = models.BooleanField(
        _("kindmodule"), default=False, help_text=_("Alleen gescoord als er kinderen thuis wonen.")
    )

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("domein")
        verbose_name_plural = _("domeinen")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="zrm_domain_unique_code"),
            models.UniqueConstraint(fields=["version", "order"], name="zrm_domain_unique_order"),
        ]

    def __str__(self):
        return self.name


class LevelLabel(models.Model):
    """The five public level labels of a version (1 acute problematiek ... 5 volledig zelfredzaam)."""

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("niveau"))
    label = models.CharField(_("omschrijving"), max_length=100)

    class Meta:
        ordering = ["version", "level"]
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaus")
        constraints = [
            models.UniqueConstraint(fields=["version", "level"], name="zrm_level_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="zrm_level_range"),
        ]

    def __str__(self):
        return f"{self.level} {self.label}"


class AnchorText(models.Model):
    """A licensed per-domain, per-level description (© GGD Amsterdam): loaded, never shipped."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="anchor_texts")
    level = models.PositiveSmallIntegerField(_("niveau"))
    text = models.TextField(_("ankertekst"))

    class Meta:
        ordering = ["domain", "level"]
        verbose_name = _("ankertekst")
        verbose_name_plural = _("ankerteksten")
        constraints = [
            models.UniqueConstraint(fields=["domain", "level"], name="zrm_anchor_unique"),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=5), name="zrm_anchor_level_range"),
        ]


class DomainMapping(models.Model):
    """A domain of an older version and the domain(s) that replace it in a newer one."""

    source = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="mapped_to")
    target = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="mapped_from")

    class Meta:
        verbose_name = _("domeinkoppeling")
        verbose_name_plural = _("domeinkoppelingen")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="zrm_mapping_unique"),
        ]


class MeasurementType(models.TextChoices):
    NULMETING = "nulmeting", _("Nulmeting")
    TUSSENMETING = "tussenmeting", _("Tussenmeting")
    AFSLUITING = "afsluiting", _("Afsluiting")
    FOLLOW_UP = "follow_up", _("Follow-up")


class MeasurementPurpose(models.TextChoices):
    PLAN = "plan", _("Plan van aanpak opstellen of bijstellen")
    EVALUATION = "evaluatie", _("Voortgang evalueren")
    CLOSING = "afsluiting", _("Afsluiten of overdragen")
    OTHER = "overig", _("Overig")


class MeasurementStatus(models.TextChoices):
    DRAFT = "concept", _("Concept")
    FINAL = "vastgesteld", _("Vastgesteld")


class IncomeSource(models.TextChoices):
    WORK = "werk", _("Inkomen uit werk")
    BENEFIT = "uitkering", _("Uitkering")
    PENSION = "pensioen", _("Pensioen (AOW)")
    STUDENT = "studiefinanciering", _("Studiefinanciering")
    NONE = "geen", _("Geen inkomen")
    OTHER = "overig", _("Overig")
    UNKNOWN = "onbekend", _("Onbekend")


class HouseholdCategory(models.TextChoices):
    """The LPBL MKBA categories, derived per measurement (DOMAIN.md §2)."""

    SINGLE = "enkelvoudig", _("Enkelvoudig")
    MULTIPLE_SELF_RELIANT = "meervoudig_zelfredzaam", _("Meervoudig zelfredzaam")
    MULTIPLE_NOT_SELF_RELIANT = "meervoudig_niet_zelfredzaam", _("Meervoudig niet-zelfredzaam")


PARTICIPATIELADDER = [
    (1, _("1 Geïsoleerd")),
    (2, _("2 Sociale contacten buitenshuis")),
    (3, _("3 Deelname georganiseerde activiteiten")),
    (4, _("4 Onbetaald werk")),
    (5, _("5 Betaald werk met ondersteuning")),
    (6, _("6 Betaald werk")),
]


class Measurement(models.Model):
    """One ZRM of one person in one case. Immutable once vastgesteld; corrected by a superseding one."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="zrm_measurements")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="zrm_measurements")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="measurements")
    date = models.DateField(_("datum"))
    type = models.CharField(_("soort meting"), max_length=20, choices=MeasurementType.choices)
    purpose = models.CharField(_("doel"), max_length=20, choices=MeasurementPurpose.choices, blank=True)
    assessor = models.ForeignKey(
        StaffMembership, on_delete=models.PROTECT, related_name="zrm_assessments", verbose_name=_("beoordelaar")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MeasurementStatus.choices, default=MeasurementStatus.DRAFT
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="correction",
        verbose_name=_("corrigeert"),
    )
    correction_reason = models.CharField(_("reden van correctie"), max_length=500, blank=True)
    participatieladder = models.PositiveSmallIntegerField(
        _("participatieladder"), null=True, blank=True, choices=PARTICIPATIELADDER
    )
    income_source = models.CharField(_("bron van inkomen"), max_length=20, choices=IncomeSource.choices, blank=True)

    # Derived on finalisation (zrm/derived.py), stored so reports never recompute history.
    problem_domain_count = models.PositiveSmallIntegerField(_("probleemdomeinen"), null=True, blank=True)
    acute_domain_count = models.PositiveSmallIntegerField(_("acute domeinen"), null=True, blank=True)
    bucket = models.CharField(_("klasse probleemdomeinen"), max_length=5, blank=True)
    cluster_scores = models.JSONField(_("clusterscores"), null=True, blank=True)
    household_category = models.CharField(
        _("huishoudcategorie"), max_length=30, choices=HouseholdCategory.choices, blank=True
    )

    external_id = models.CharField(
        _("extern kenmerk"), max_length=64, null=True, blank=True,
        help_text=_("Sleutel uit het bronsysteem (import); uniek als hij is ingevuld."),
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    # A machine client (registratie.schrijven) has no user account: its name ("api:<name>") stands in.
    created_by_client = models.CharField(max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "created_at", "pk"]
        verbose_name = _("ZRM-meting")
        verbose_name_plural = _("ZRM-metingen")
        indexes = [
            models.Index(fields=["case", "status", "type"], name="zrm_measurement_case_idx"),
            models.Index(fields=["person", "date"], name="zrm_measurement_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(participatieladder__isnull=True)
                | (Q(participatieladder__gte=1) & Q(participatieladder__lte=6)),
                name="zrm_participatieladder_range",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(correction_reason=""),
                name="zrm_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(created_by__isnull=False) | ~Q(created_by_client=""), name="zrm_measurement_has_creator",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(supersedes=models.F("pk")),
                name="zrm_not_superseding_itself",
            ),
            models.CheckConstraint(
                condition=Q(status="concept")
                | Q(
                    finalised_at__isnull=False, problem_domain_count__isnull=False,
                    acute_domain_count__isnull=False, cluster_scores__isnull=False,
                )
                & ~Q(bucket="") & ~Q(household_category=""),
                name="zrm_final_has_derived_values",
            ),
            models.UniqueConstraint(fields=["external_id"], condition=Q(external_id__isnull=False),
                                    name="zrm_measurement_unique_external_id"),
        ]

    def __str__(self):
        return f"ZRM-meting {self.pk}"

    @property
    def is_final(self) -> bool:
        return self.status == MeasurementStatus.FINAL


class NotScoredReason(models.TextChoices):
    NOT_RELEVANT = "niet_relevant", _("Niet relevant")
    UNKNOWN = "onbekend", _("Onbekend")


class Score(models.Model):
    """A domain's score 1..5, or niet gescoord with a reason: exactly one of the two."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    not_scored_reason = models.CharField(
        _("reden niet gescoord"), max_length=20, choices=NotScoredReason.choices, blank=True
    )

    class Meta:
        ordering = ["measurement", "domain__order"]
        verbose_name = _("domeinscore")
        verbose_name_plural = _("domeinscores")
        constraints = [
            models.UniqueConstraint(fields=["measurement", "domain"], name="zrm_score_one_per_domain"),
            models.CheckConstraint(
                condition=(
                    Q(score__isnull=False, score__gte=1, score__lte=5, not_scored_reason="")
                    | Q(score__isnull=True, not_scored_reason__in=["niet_relevant", "onbekend"])
                ),
                name="zrm_score_xor_reason",
            ),
        ]


class DigestLog(models.Model):
    """One row per director per day a due-measurement digest went out: makes the daily task idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verzonden overzicht")
        verbose_name_plural = _("verzonden overzichten")
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="zrm_digest_once_per_day")]
