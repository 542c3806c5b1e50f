"""The pseudonymised research extract (scope onderzoek.lezen).

Record-level rows, one per person per case: keyed pseudonyms for person and household (HMAC with
the client's own key: stable for one client, different between clients), birth year, 4-digit
postcode, household type, case dates, ZRM scores per measurement, interventions. No names, BSN,
addresses, dates of birth or free text.
"""
from __future__ import annotations

import hashlib
import hmac

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cases.models import Case, HouseholdMembership, Intervention
from cases.selectors import household_type
from zrm.models import Measurement, Score
from zrm.selectors import effective


def pseudonym(key: str, kind: str, pk: int) -> str:
    return hmac.new(key.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:20]


def extract_cases() -> QuerySet[Case]:
    """Cases with everything the extract needs prefetched: a constant number of queries per page."""
    return (
        Case.objects.select_related("household", "team", "melding_source", "closure_reason")
        .prefetch_related(
            Prefetch("household__memberships",
                     queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person"),
                     to_attr="current_memberships"),
            Prefetch("zrm_measurements",
                     queryset=effective(Measurement.objects.all()).select_related("version").prefetch_related(
                         Prefetch("scores", queryset=Score.objects.select_related("domain"))
                     ).order_by("date", "pk"),
                     to_attr="final_measurements"),
            Prefetch("interventions", queryset=Intervention.objects.select_related("type").order_by("pk"),
                     to_attr="all_interventions"),
        )
        .order_by("pk")
    )


def rows_for(cases, key: str) -> list[dict]:
    """One row per current household member per case."""
    today = timezone.localdate()
    rows = []
    for case in cases:
        members = case.household.current_memberships
        interventions = [
            {"personPseudonym": pseudonym(key, "person", i.person_id) if i.person_id else None,
             "type": i.type.code, "teamAction": i.team_action, "deliverer": i.deliverer,
             "startDate": i.start_date, "endDate": i.end_date,
             "wouldHaveStartedWithoutTeam": i.would_have_started_without_team}
            for i in case.all_interventions
        ]
        for membership in members:
            person = membership.person
            measurements = [
                {"date": m.date, "type": m.type, "instrumentVersion": m.version.code,
                 "scores": {s.domain.code: (s.score if s.score is not None else s.not_scored_reason)
                            for s in m.scores.all()},
                 "problemDomains": m.problem_domain_count, "householdCategory": m.household_category or None}
                for m in case.final_measurements if m.person_id == person.pk
            ]
            rows.append({
                "personPseudonym": pseudonym(key, "person", person.pk),
                "householdPseudonym": pseudonym(key, "household", case.household_id),
                "casePseudonym": pseudonym(key, "case", case.pk),
                "birthYear": person.date_of_birth.year,
                "role": membership.role,
                "postcodeArea": case.household.postcode[:4],
                "wijk": case.household.wijk or None,
                "householdType": household_type(members, today),
                "team": case.team.name,
                "meldingDate": case.melding_date,
                "meldingSource": case.melding_source.code,
                "firstContactDate": case.first_contact_date,
                "closedOn": case.closed_on,
                "closureReason": case.closure_reason.code if case.closure_reason_id else None,
                "reopening": case.reopened_from_id is not None,
                "measurements": measurements,
                "interventions": [i for i in interventions if i["personPseudonym"] in (None, pseudonym(key, "person", person.pk))],
            })
    return rows
