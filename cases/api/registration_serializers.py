"""Serializers of the registration endpoints (households, persons, cases): shapes only.

JSON fields are camelCase, dates ISO 8601. Business rules live in cases/services/, so a request gets the
same Dutch messages as the screens. Ids and codes resolve to objects here (common.api.fields): an unknown team
or household stops the request; an unknown code list entry or director is reported with the service's errors.

Data minimisation: a response never holds a BSN. `bsnBekend` says whether one is registered; to find a
person by BSN, POST it to /api/v1/personen/zoeken (never in a URL).
"""
import datetime as dt

from rest_framework import serializers

from common.api.fields import KnownCode, KnownId
from common.validators import is_valid_bsn

from ..models import ClosureReason, Household, MeldingSource, MemberRole, StaffMembership, Team
from ..selectors import household_type
from ..services import MSG_BSN_INVALID

MAX_HOUSE_NUMBER = 99999  # Dutch house numbers have at most five digits
MSG_UNKNOWN_DIRECTOR = "Onbekend teamlidmaatschap: kies een sociaal werker of teamleider van het team."
MSG_UNKNOWN_SOURCE = "Onbekende bron van de melding '{value}'."
BSN_KNOWN_HELP = ("Of er een BSN is geregistreerd. Het nummer zelf staat nooit in een antwoord "
                  "(dataminimalisatie); zoek op BSN met POST /api/v1/personen/zoeken.")


class DateField(serializers.DateField):
    """An ISO 8601 date no earlier than 1900: older dates are typing errors here (and would overflow the
    date arithmetic of the norms)."""

    EARLIEST = dt.date(1900, 1, 1)

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if date < self.EARLIEST:
            raise serializers.ValidationError("Vul een datum vanaf 1900 in.", code="date_too_early")
        return date


# --- Households ----------------------------------------------------------------------------------

class HouseholdSerializer(serializers.Serializer):
    """A household of a selectors.households_visible_to queryset (member_count, current_memberships and
    visible_cases attached)."""

    id = serializers.IntegerField(read_only=True)
    externalId = serializers.CharField(source="external_id", read_only=True, allow_null=True,
                                       help_text="Sleutel uit het bronsysteem (import).")
    postcode = serializers.CharField(read_only=True, help_text="1234AB")
    houseNumber = serializers.IntegerField(source="house_number", read_only=True)
    houseNumberAddition = serializers.CharField(source="house_number_addition", read_only=True)
    street = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    wijk = serializers.CharField(read_only=True)
    householdType = serializers.SerializerMethodField(help_text="gezin, ouderen of overig (LPBL), afgeleid "
                                                                "van de huidige thuiswonende leden.")
    memberCount = serializers.IntegerField(source="member_count", read_only=True,
                                           help_text="Aantal huidige gezinsleden.")
    cases = serializers.SerializerMethodField(help_text="Ids van de casussen van uw teams, nieuwste eerst.")

    def get_householdType(self, obj) -> str:
        return household_type(getattr(obj, "current_memberships", []))

    def get_cases(self, obj) -> list[int]:
        return [case.pk for case in getattr(obj, "visible_cases", [])]


class HouseholdUpdateSerializer(serializers.Serializer):
    """PATCH: only the fields sent change; the service checks them like the melding screen."""

    postcode = serializers.CharField(required=False, max_length=10, allow_blank=True,
                                     help_text="Vier cijfers en twee letters, bijvoorbeeld 1234AB of 1234 AB.")
    houseNumber = serializers.IntegerField(source="house_number", required=False, max_value=MAX_HOUSE_NUMBER)
    houseNumberAddition = serializers.CharField(source="house_number_addition", required=False, allow_blank=True)
    street = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True)
    wijk = serializers.CharField(required=False, allow_blank=True)


# --- Persons -------------------------------------------------------------------------------------

class PersonFieldsMixin(serializers.Serializer):
    firstName = serializers.CharField(source="person.first_name", read_only=True)
    namePrefix = serializers.CharField(source="person.name_prefix", read_only=True)
    lastName = serializers.CharField(source="person.last_name", read_only=True)
    dateOfBirth = serializers.DateField(source="person.date_of_birth", read_only=True)
    bsnBekend = serializers.SerializerMethodField(help_text=BSN_KNOWN_HELP)

    def get_bsnBekend(self, obj) -> bool:
        return bool(obj.person.bsn)


class MemberSerializer(PersonFieldsMixin):
    """A household member: the person (id = person id) with their place in the household."""

    id = serializers.IntegerField(source="person_id", read_only=True, help_text="Id van de persoon.")
    household = serializers.IntegerField(source="household_id", read_only=True)
    role = serializers.CharField(read_only=True, help_text="ouder, partner, kind of overig.")
    livingAtHome = serializers.BooleanField(source="living_at_home", read_only=True)
    validFrom = serializers.DateField(source="valid_from", read_only=True)
    validTo = serializers.DateField(source="valid_to", read_only=True, allow_null=True)


class PersonMembershipSerializer(serializers.Serializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    role = serializers.CharField(read_only=True)
    livingAtHome = serializers.BooleanField(source="living_at_home", read_only=True)
    validFrom = serializers.DateField(source="valid_from", read_only=True)
    validTo = serializers.DateField(source="valid_to", read_only=True, allow_null=True)


class PersonSerializer(serializers.Serializer):
    """A person with their memberships of households of the caller's teams (no others)."""

    id = serializers.IntegerField(read_only=True)
    firstName = serializers.CharField(source="first_name", read_only=True)
    namePrefix = serializers.CharField(source="name_prefix", read_only=True)
    lastName = serializers.CharField(source="last_name", read_only=True)
    dateOfBirth = serializers.DateField(source="date_of_birth", read_only=True)
    bsnBekend = serializers.SerializerMethodField(help_text=BSN_KNOWN_HELP)
    memberships = PersonMembershipSerializer(source="visible_memberships", many=True, read_only=True)

    def get_bsnBekend(self, obj) -> bool:
        return bool(obj.bsn)


class MemberWriteSerializer(serializers.Serializer):
    """A new person in a household (POST /huishoudens/{id}/personen, and the members of a new household)."""

    firstName = serializers.CharField(source="first_name", max_length=100, allow_blank=True)
    namePrefix = serializers.CharField(source="name_prefix", max_length=20, required=False, allow_blank=True,
                                       default="")
    lastName = serializers.CharField(source="last_name", max_length=100, allow_blank=True)
    dateOfBirth = DateField(source="date_of_birth")
    bsn = serializers.CharField(max_length=11, required=False, allow_blank=True, allow_null=True, default=None,
                                help_text="Negen cijfers (elfproef); alleen in de body, nooit in een URL. Komt in "
                                          "geen antwoord terug.")
    role = serializers.ChoiceField(choices=MemberRole.choices)
    livingAtHome = serializers.BooleanField(source="living_at_home", required=False, default=True)


class NewMemberSerializer(MemberWriteSerializer):
    validFrom = DateField(source="valid_from", required=False, allow_null=True, default=None,
                                      help_text="Lid van het huishouden sinds; standaard vandaag.")


class PersonSearchSerializer(serializers.Serializer):
    bsn = serializers.CharField(max_length=11, help_text="Negen cijfers (elfproef).")

    def validate_bsn(self, value):
        value = "".join(value.split())
        if not is_valid_bsn(value):
            raise serializers.ValidationError(MSG_BSN_INVALID, code="invalid_bsn")
        return value


class PersonSearchResultSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="Id van de persoon.")
    households = serializers.ListField(child=serializers.IntegerField(),
                                       help_text="Ids van de huishoudens van uw teams waarvan de persoon lid is "
                                                 "(geweest).")


# --- Cases ---------------------------------------------------------------------------------------

class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    externalId = serializers.CharField(source="external_id", read_only=True, allow_null=True)
    household = serializers.IntegerField(source="household_id", read_only=True)
    team = serializers.IntegerField(source="team_id", read_only=True)
    teamName = serializers.CharField(source="team.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="aangemeld, in_behandeling of afgesloten.")
    meldingDate = serializers.DateField(source="melding_date", read_only=True)
    meldingSource = serializers.CharField(source="melding_source.code", read_only=True,
                                          help_text="Code uit de lijst meldingsbronnen.")
    regisseur = serializers.IntegerField(source="regisseur_id", read_only=True, allow_null=True,
                                         help_text="Id van het teamlidmaatschap van de regisseur.")
    firstContactDate = serializers.DateField(source="first_contact_date", read_only=True, allow_null=True)
    closedOn = serializers.DateField(source="closed_on", read_only=True, allow_null=True)
    closureReason = serializers.SerializerMethodField(help_text="Code uit de lijst redenen van afsluiting.")
    safetyFlag = serializers.BooleanField(source="safety_flag", read_only=True)
    reopenedFrom = serializers.IntegerField(source="reopened_from_id", read_only=True, allow_null=True)

    def get_closureReason(self, obj) -> str | None:
        return obj.closure_reason.code if obj.closure_reason_id else None


class NewHouseholdSerializer(serializers.Serializer):
    postcode = serializers.CharField(max_length=10, allow_blank=True)
    houseNumber = serializers.IntegerField(source="house_number", max_value=MAX_HOUSE_NUMBER)
    houseNumberAddition = serializers.CharField(source="house_number_addition", max_length=10, required=False,
                                                allow_blank=True, default="")
    street = serializers.CharField(max_length=200, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True)
    wijk = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    members = MemberWriteSerializer(many=True, allow_empty=True, max_length=20)


HOUSEHOLD_OR_NEW = "Geef óf een bestaand huishouden (household), óf een nieuw huishouden (newHousehold)."


class CaseCreateSerializer(serializers.Serializer):
    """A melding: for an existing household (`household`) or a new one with its members (`newHousehold`)."""

    team = KnownId(queryset=Team.objects.all(), message="Onbekend team.", help_text="Id van een van uw teams.")
    meldingDate = DateField(source="melding_date")
    meldingSource = KnownCode(source="melding_source", queryset=MeldingSource.objects.filter(active=True),
                              deferred=True, message=MSG_UNKNOWN_SOURCE, help_text="Code uit de lijst meldingsbronnen.")
    regisseur = KnownId(queryset=StaffMembership.objects.select_related("team", "user"), deferred=True,
                        message=MSG_UNKNOWN_DIRECTOR,
                        help_text="Id van het teamlidmaatschap van de regisseur (sociaal werker of teamleider van het "
                                  "team); een API-client kan geen regisseur zijn.")
    safetyFlag = serializers.BooleanField(source="safety_flag", required=False, default=False)
    household = KnownId(queryset=Household.objects.all(), required=False, allow_null=True, default=None,
                        message="Onbekend huishouden.", help_text="Id van een bestaand huishouden van uw teams.")
    newHousehold = NewHouseholdSerializer(source="new_household", required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if (attrs.get("household") is None) == (attrs.get("new_household") is None):
            raise serializers.ValidationError(
                {"household": [HOUSEHOLD_OR_NEW]}, code="household_or_new")
        return attrs


class FirstContactSerializer(serializers.Serializer):
    contactDate = DateField(source="contact_date")


class TransferSerializer(serializers.Serializer):
    regisseur = KnownId(queryset=StaffMembership.objects.select_related("team", "user"), deferred=True,
                        message=MSG_UNKNOWN_DIRECTOR, help_text="Id van het teamlidmaatschap van de nieuwe regisseur.")
    reason = serializers.CharField(max_length=500, allow_blank=True)
    on = DateField(required=False, allow_null=True, default=None, help_text="Standaard vandaag.")


class CloseSerializer(serializers.Serializer):
    reason = KnownCode(queryset=ClosureReason.objects.filter(active=True), deferred=True,
                       message="Onbekende reden van afsluiting '{value}'.",
                       help_text="Code uit de lijst redenen van afsluiting.")
    closedOn = DateField(source="closed_on")


class ReopenSerializer(serializers.Serializer):
    meldingDate = DateField(source="melding_date")
    meldingSource = KnownCode(source="melding_source", queryset=MeldingSource.objects.filter(active=True),
                              deferred=True, message=MSG_UNKNOWN_SOURCE)
    regisseur = KnownId(queryset=StaffMembership.objects.select_related("team", "user"), deferred=True,
                        message=MSG_UNKNOWN_DIRECTOR)
