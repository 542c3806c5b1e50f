"""Privacy (issue 8): break-the-glass oversight, consent, regiecheck."""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from .. import extensions
from ..models import BreakGlassAccess, Case, CaseStatus, Consent, ConsentPurpose, Household, Person
from .access import led_teams
from .households import find_households_by_address, find_households_by_bsn, person_by_bsn


def break_glass_events_for_leader(user, *, team_id: int | None = None) -> QuerySet:
    """Break-the-glass accesses a team leader oversees: on their team's cases, and by their team's workers.

    With `team_id` (one of the led teams), only those that concern that team.
    """
    led = list(led_teams(user).values_list("pk", flat=True))
    if team_id is not None:
        led = [pk for pk in led if pk == team_id]
    return (
        BreakGlassAccess.objects.filter(Q(case__team_id__in=led) | Q(requester_team_id__in=led))
        .select_related("user", "case__team", "requester_team")
        .order_by("-at", "-pk")
    )


def consents_of(household_id: int) -> list:
    """Every consent of the household, active ones first, newest first (one query)."""
    return sorted(
        Consent.objects.filter(household_id=household_id).select_related(
            "partner_organisation", "recorded_by", "withdrawn_by"),
        key=lambda c: (c.withdrawn_on is not None, -c.given_on.toordinal(), -c.pk),
    )


def sharing_consent(household_id: int, organisation_ids, on: dt.date):
    """The household's active 'informatiedeling' consent naming one of these partner organisations, or None.

    A consent without a named partner organisation does not cover sharing case content with an asking party.
    """
    if not organisation_ids:
        return None
    return (Consent.objects.filter(household_id=household_id, purpose=ConsentPurpose.INFORMATION_SHARING,
                                   partner_organisation_id__in=list(organisation_ids), given_on__lte=on)
            .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))
            .select_related("partner_organisation").order_by("-given_on", "-pk").first())


def regiecheck_households(bsn: str, date_of_birth: dt.date, postcode: str, house_number: int,
                          addition: str = "") -> tuple[Person | None, list[Household]]:
    """The person with this BSN and the households at this address they are a current member of.

    All three must agree (BSN, date of birth, address); any mismatch gives no households. The person is
    returned when the BSN alone matched (for the audit log only; never shown to the asking party).
    """
    person = person_by_bsn(bsn)
    if person is None or person.date_of_birth != date_of_birth:
        return person, []
    at_address = find_households_by_address(postcode, house_number, addition).values("pk")
    return person, list(find_households_by_bsn(bsn).filter(pk__in=at_address).order_by("pk"))


def open_cases_with_directors(households) -> list[Case]:
    """The open cases of these households with team, director (user, team, home organisation) in one query."""
    return list(
        Case.objects.filter(household__in=list(households)).exclude(status=CaseStatus.CLOSED)
        .select_related("team", "regisseur__user", "regisseur__team", "regisseur__home_organisation")
        .order_by("pk")
    )


def latest_problem_domain_count(case_id: int, person_id: int):
    """The person's latest vastgestelde (not corrected) ZRM in the case: (date, problem domain count) or None."""
    latest = extensions.measurements.provider.latest_effective(case_id, [person_id]).get(person_id)
    return (latest.date, latest.problem_domain_count) if latest else None
