"""MKBA data: the versioned price book and the saved scenarios (DOMAIN.md §5).

A price-book version that a scenario used is never changed (services and the admin refuse it);
new prices go into a new version with its own valid-from date. A scenario stores the input
document derived from the registration, the analyst's overrides, the result and the price-book
version the result was computed with. Nothing here holds personal data: only aggregates.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PriceBook(models.Model):
    version = models.PositiveIntegerField(_("versie"), unique=True)
    valid_from = models.DateField(_("geldig vanaf"))
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-version"]
        verbose_name = _("prijsboekversie")
        verbose_name_plural = _("prijsboek (versies)")
        constraints = [models.CheckConstraint(condition=Q(version__gte=1), name="mkba_pricebook_version_positive")]

    def __str__(self):
        return f"Prijsboek versie {self.version} (vanaf {self.valid_from:%d-%m-%Y})"


class PriceBookItem(models.Model):
    """One unit price. Keys are stable: trajectory-type codes (DOMAIN.md §4) and the MKBA keys."""

    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(_("sleutel"), max_length=64)
    label = models.CharField(_("omschrijving"), max_length=200)
    amount = models.DecimalField(_("bedrag (€)"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("eenheid"), max_length=100, blank=True)
    source = models.CharField(_("bron"), max_length=300, blank=True)
    is_placeholder = models.BooleanField(
        _("plaatshouder"), default=False,
        help_text=_("Geen onderbouwd bedrag: de gemeente moet dit vaststellen. Rapporten waarschuwen ervoor."),
    )

    class Meta:
        ordering = ["price_book", "key"]
        verbose_name = _("prijs")
        verbose_name_plural = _("prijzen")
        constraints = [
            models.UniqueConstraint(fields=["price_book", "key"], name="mkba_price_unique_key"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="mkba_price_nonnegative"),
        ]

    def __str__(self):
        return f"{self.key}: € {self.amount}"


class Scenario(models.Model):
    """One MKBA for a team (or all teams, team empty) and a year, with the analyst's overrides."""

    name = models.CharField(_("naam"), max_length=100)
    team = models.ForeignKey("cases.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("team (leeg: alle teams)"))
    year = models.PositiveIntegerField(_("jaar"))
    is_base = models.BooleanField(
        _("basisscenario"), default=False,
        help_text=_("Het scenario uit de registratie zonder aanpassingen; wordt elke nacht herberekend."),
    )
    input_document = models.JSONField(_("invoer uit registratie en prijsboek"), default=dict)
    overrides = models.JSONField(_("aanpassingen van de analist"), default=dict, blank=True)
    result = models.JSONField(_("resultaat"), null=True, blank=True)
    errors = models.JSONField(_("fouten bij de laatste berekening"), default=list, blank=True)
    price_book = models.ForeignKey(PriceBook, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="scenarios", verbose_name=_("prijsboekversie"))
    computed_at = models.DateTimeField(_("berekend op"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "team_id", "-is_base", "name"]
        verbose_name = _("MKBA-scenario")
        verbose_name_plural = _("MKBA-scenario's")
        constraints = [
            models.UniqueConstraint(fields=["team", "year", "name"], condition=Q(team__isnull=False),
                                    name="mkba_scenario_unique_name_team"),
            models.UniqueConstraint(fields=["year", "name"], condition=Q(team__isnull=True),
                                    name="mkba_scenario_unique_name_all"),
            models.UniqueConstraint(fields=["team", "year"], condition=Q(is_base=True, team__isnull=False),
                                    name="mkba_one_base_per_team_year"),
            models.UniqueConstraint(fields=["year"], condition=Q(is_base=True, team__isnull=True),
                                    name="mkba_one_base_all_teams_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="mkba_scenario_year_range"),
            models.CheckConstraint(condition=Q(result__isnull=True) | Q(price_book__isnull=False),
                                   name="mkba_result_records_price_book"),
        ]

    def __str__(self):
        return f"{self.name} ({self.scope_label}, {self.year})"

    @property
    def scope_label(self) -> str:
        return self.team.name if self.team_id else "Alle teams"
