"""Households, persons and who belongs to which household when."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.validators import validate_bsn, validate_postcode

from ..fields import BSNHashField, EncryptedBSNField


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
