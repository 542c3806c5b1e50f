"""factory_boy factories for the cases app. Other apps keep theirs in tests/<app>/factories.py."""
import datetime as dt
import random

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from cases.models import (
    Case,
    ClosureReason,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    MeldingSource,
    MemberRole,
    Organisation,
    Person,
    Role,
    StaffMembership,
    Team,
)
from cases.selectors import person_by_bsn
from common.validators import complete_bsn

_rng = random.Random(20261122)


def valid_bsn() -> str:
    while True:
        bsn = complete_bsn(f"{_rng.randint(10_000_000, 99_999_999)}")
        if bsn and person_by_bsn(bsn) is None:
            return bsn


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"medewerker{n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.django.Password("geheim-wachtwoord-123")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Welzijnsorganisatie {n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Wijkteam {n}")
    municipality = "Groningen"
    postcode_areas = factory.LazyFunction(lambda: ["9711", "9712"])


class StaffFactory(DjangoModelFactory):
    """A staff membership; by default a sociaal werker in a new team."""

    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.SOCIAL_WORKER
    fte = 1

    class Params:
        leader = factory.Trait(role=Role.TEAM_LEADER)
        municipality = factory.Trait(role=Role.MUNICIPALITY, team=None)
        administrator = factory.Trait(role=Role.ADMINISTRATOR, team=None)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    postcode = "9711AB"
    house_number = factory.Sequence(lambda n: n + 1)
    street = "Oosterstraat"
    city = "Groningen"
    wijk = "Centrum"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    bsn = factory.LazyFunction(valid_bsn)
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    date_of_birth = dt.date(1985, 3, 14)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMembership

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    role = MemberRole.PARENT
    living_at_home = True
    valid_from = dt.date(2020, 1, 1)


def melding_source(code: str = "zelfmelder") -> MeldingSource:
    return MeldingSource.objects.get(code=code)


def closure_reason(code: str = "doelen_behaald") -> ClosureReason:
    return ClosureReason.objects.get(code=code)


class CaseFactory(DjangoModelFactory):
    """An open case (aangemeld) directed by a sociaal werker of its team, with one adult member."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    regisseur = factory.SubFactory(StaffFactory)
    team = factory.SelfAttribute("regisseur.team")
    melding_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    melding_source = factory.LazyFunction(melding_source)

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted is not False and not obj.household.memberships.exists():
            MembershipFactory(household=obj.household)

    @factory.post_generation
    def assignment(obj, create, extracted, **kwargs):
        if create and obj.regisseur_id:
            DirectorAssignment.objects.create(
                case=obj, regisseur=obj.regisseur, started_on=obj.melding_date, reason="Eerste toewijzing",
                assigned_by=obj.regisseur.user,
            )
