"""Households and their members: composition, household type, finding a household, its cases."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from common.validators import normalise_postcode

from ..crypto import bsn_lookup_hash
from ..models import Case, CaseStatus, Household, HouseholdMembership, MemberRole, Person


def current_members(household: Household) -> QuerySet[HouseholdMembership]:
    return (
        HouseholdMembership.objects.filter(household=household, valid_to__isnull=True)
        .select_related("person")
        .order_by("role", "person__date_of_birth", "pk")
    )


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def household_type(memberships, on: dt.date | None = None) -> str:
    """LPBL household type from the current members living at home: gezin, ouderen or overig.

    gezin: children living at home and a parent/partner under the senior age;
    ouderen: one or two adults, all at or above the senior age, no children at home;
    overig: everyone else.
    """
    on = on or dt.date.today()
    senior_age = settings.WIJKREGIE["SENIOR_AGE"]
    at_home = [m for m in memberships if m.living_at_home and m.valid_to is None]
    children = [m for m in at_home if m.role == MemberRole.CHILD]
    adults = [m for m in at_home if m.role != MemberRole.CHILD]
    parents = [m for m in adults if m.role in (MemberRole.PARENT, MemberRole.PARTNER)]
    if children and any(age_on(m.person.date_of_birth, on) < senior_age for m in parents):
        return "gezin"
    if not children and 1 <= len(adults) <= 2 and all(age_on(m.person.date_of_birth, on) >= senior_age for m in adults):
        return "ouderen"
    return "overig"


HOUSEHOLD_TYPE_LABELS = {"gezin": "Gezin", "ouderen": "Ouderen", "overig": "Overig"}


def find_households_by_bsn(bsn: str) -> QuerySet[Household]:
    return Household.objects.filter(
        memberships__person__bsn_hash=bsn_lookup_hash(bsn), memberships__valid_to__isnull=True
    ).distinct()


def find_households_by_address(postcode: str, house_number: int, addition: str = "") -> QuerySet[Household]:
    qs = Household.objects.filter(postcode=normalise_postcode(postcode), house_number=house_number)
    if addition:
        qs = qs.filter(house_number_addition__iexact=addition.strip())
    return qs


def open_case_of(household: Household) -> Case | None:
    return household.cases.exclude(status=CaseStatus.CLOSED).first()


def person_by_bsn(bsn: str) -> Person | None:
    return Person.objects.filter(bsn_hash=bsn_lookup_hash(bsn)).first()


def search_households(*, team_ids, bsn: str = "", postcode: str = "", house_number: int | None = None,
                      addition: str = ""):
    """Households matching a BSN (current member) or an address, each with `open_cases` and `member_count`.

    A BSN finds only households with a case of `team_ids` (the searcher's teams): whether a BSN is known
    elsewhere is the regiecheck's question (BSN, date of birth and address), never a search's. An address finds
    every household there, so that no household gets a second open case.
    """
    if bsn:
        matches = find_households_by_bsn(bsn).filter(
            pk__in=Case.objects.filter(team_id__in=team_ids).values("household_id"))
    else:
        matches = find_households_by_address(postcode, house_number, addition)
    return list(
        Household.objects.filter(pk__in=matches.values("pk"))
        .annotate(member_count=Count("memberships", filter=Q(memberships__valid_to__isnull=True)))
        .prefetch_related(
            Prefetch("cases", queryset=Case.objects.exclude(status=CaseStatus.CLOSED).select_related("team"),
                     to_attr="open_cases")
        )
        .order_by("postcode", "house_number", "house_number_addition", "pk")
    )


def case_has_other_open(household_id: int, exclude_pk: int | None = None) -> bool:
    qs = Case.objects.filter(household_id=household_id).exclude(status=CaseStatus.CLOSED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def recently_closed_case(household: Household, on: dt.date) -> Case | None:
    """The latest case of this household closed within the reopening window and not yet reopened."""
    window = settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
    reopened = Case.objects.filter(reopened_from=OuterRef("pk"))
    return (
        household.cases.filter(status=CaseStatus.CLOSED, closed_on__gte=on - dt.timedelta(days=window))
        .annotate(already_reopened=Exists(reopened))
        .filter(already_reopened=False)
        .order_by("-closed_on", "-pk")
        .first()
    )
