"""Registration API (issue 6): the households and persons of the caller's teams."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Case, Household, HouseholdMembership, Person
from .access import NeedToKnow, cases_visible_to, team_ids_of
from .households import open_case_of, person_by_bsn


def _visible_household_ids(user):
    """Households with a case of one of the user's teams (a subquery)."""
    return Case.objects.filter(team_id__in=team_ids_of(user)).values("household_id")


def households_visible_to(user) -> QuerySet[Household]:
    """Households with at least one case of the user's teams, each with `member_count`, its current members
    (`current_memberships`, for the household type) and `visible_cases` (the user's teams' cases, newest
    first). A constant number of queries, whatever the number of households."""
    team_ids = team_ids_of(user)
    return (
        Household.objects.filter(pk__in=Case.objects.filter(team_id__in=team_ids).values("household_id"))
        .annotate(member_count=Count("memberships", filter=Q(memberships__valid_to__isnull=True)))
        .prefetch_related(
            Prefetch("memberships", queryset=HouseholdMembership.objects.filter(valid_to__isnull=True)
                     .select_related("person"), to_attr="current_memberships"),
            Prefetch("cases", queryset=Case.objects.filter(team_id__in=team_ids).order_by("-melding_date", "-pk"),
                     to_attr="visible_cases"),
        )
        .order_by("pk")
    )


def get_household_for(user, pk: int) -> Household:
    """A household with a case of the user's teams; 404 when it does not exist, 403 when only other teams
    hold it."""
    household = households_visible_to(user).filter(pk=pk).first()
    if household is None:
        get_object_or_404(Household, pk=pk)
        raise PermissionDenied("Dit huishouden hoort niet bij uw teams.")
    return household


def household_case_for_write(user, household: Household) -> Case:
    """The open case of the household in which the user may change it: 403 when another team holds the open
    case; a ValidationError (code no_open_case) when the household has no open case at all."""
    case = open_case_of(household)
    if case is None:
        raise ValidationError("Dit huishouden heeft geen open casus; heropen eerst de casus.", code="no_open_case")
    if case.team_id not in team_ids_of(user):
        raise NeedToKnow(case)
    return case


def household_members(household: Household, *, current_only: bool = True) -> QuerySet[HouseholdMembership]:
    """The household's memberships with their persons, oldest member first."""
    qs = HouseholdMembership.objects.filter(household=household).select_related("person")
    if current_only:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("person__date_of_birth", "pk")


def get_person_for(user, pk: int) -> Person:
    """A person who is (or was) a member of a household of the user's teams, with `visible_memberships`
    (those households only); 404 when the person does not exist, 403 when only other teams know them."""
    person = get_object_or_404(Person, pk=pk)
    person.visible_memberships = list(
        HouseholdMembership.objects.filter(person=person, household_id__in=_visible_household_ids(user))
        .order_by("valid_from", "pk")
    )
    if not person.visible_memberships:
        raise PermissionDenied("Deze persoon hoort niet bij een huishouden van uw teams.")
    return person


def find_person_in_teams(user, bsn: str) -> tuple[Person | None, list[int]]:
    """(the person with this BSN, or None; the ids of the user's teams' households they are or were a member
    of). A person known only to other teams comes back with no households: the caller must not learn of them
    (the same rule as get_person_for)."""
    person = person_by_bsn(bsn)
    if person is None:
        return None, []
    household_ids = sorted(set(
        HouseholdMembership.objects.filter(person=person, household_id__in=_visible_household_ids(user))
        .values_list("household_id", flat=True)
    ))
    return person, household_ids


def registration_cases(user) -> QuerySet[Case]:
    """The cases of the user's teams with what the API shows, in one query."""
    return (
        cases_visible_to(user)
        .select_related("melding_source", "closure_reason", "team")
        .order_by("-melding_date", "-pk")
    )
