"""The pseudonymised research extract (scope onderzoek.lezen).

Record-level rows, one per current household member per case: keyed pseudonyms for person, household and
case (HMAC with the client's own key: stable for one client, different between clients), the
quasi-identifiers generalised until the extract is k-anonymous (reporting.research.anonymity: age band,
role, team, wijk, 2-digit postcode area, household type on the melding date, melding period), case
periods, ZRM scores per measurement and interventions, every date at the period level of the melding.
No names, BSN, addresses, dates of birth, exact dates or free text; rows in groups smaller than k are
left out.
"""
from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, QuerySet

from cases.models import Case, HouseholdMembership, Intervention, Team
from zrm.models import Measurement, Score
from zrm.selectors import effective

from .. import facts
from .anonymity import QuasiRecord, Release, anonymise, period


def pseudonym(key: str, kind: str, pk: int) -> str:
    return hmac.new(key.encode(), f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()[:20]


def quasi_records() -> list[QuasiRecord]:
    """The exact quasi-identifiers of every row of the extract, in one query. Age and household type are
    the aggregates' own SQL (reporting.facts): on the melding date, from the current members at home."""
    sql = f"""
        SELECT c.id, hm.person_id, {facts.age_sql('p.date_of_birth', 'c.melding_date')}, hm.role, t.name,
            h.wijk, h.postcode, c.melding_date, {facts.HOUSEHOLD_TYPE}
        FROM {facts.C} c
        JOIN {facts.H} h ON h.id = c.household_id
        JOIN {Team._meta.db_table} t ON t.id = c.team_id
        JOIN {facts.HM} hm ON hm.household_id = c.household_id AND hm.valid_to IS NULL
        JOIN {facts.P} p ON p.id = hm.person_id
        LEFT JOIN ({facts.household_members()}) ht ON ht.case_id = c.id
        ORDER BY c.id, hm.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [])
        return [QuasiRecord(*row) for row in cursor.fetchall()]


def release() -> Release:
    """What the extract may publish now, under the configured k and suppression budget."""
    norms = settings.WIJKREGIE
    return anonymise(quasi_records(), k=norms["RESEARCH_K_ANONYMITY"],
                     max_suppression=norms["RESEARCH_MAX_SUPPRESSION_PERCENT"] / 100,
                     youth_age=norms["YOUTH_AGE"], senior_age=norms["SENIOR_AGE"])


def extract_cases(published: Release | None = None) -> QuerySet[Case]:
    """Cases (those with a published row, when `published` is given) with everything the extract needs
    prefetched: a constant number of queries per page."""
    cases = Case.objects.all() if published is None else Case.objects.filter(pk__in=published.case_ids)
    return (
        cases.select_related("household", "team", "melding_source", "closure_reason")
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


def rows_for(cases, key: str, published: Release) -> list[dict]:
    """One row per current household member per case whose quasi-identifiers `published` releases."""
    level = published.step.period
    rows = []
    for case in cases:
        interventions = [
            {"personPseudonym": pseudonym(key, "person", i.person_id) if i.person_id else None,
             "type": i.type.code, "teamAction": i.team_action, "deliverer": i.deliverer,
             "startPeriod": period(i.start_date, level), "endPeriod": period(i.end_date, level),
             "wouldHaveStartedWithoutTeam": i.would_have_started_without_team}
            for i in case.all_interventions
        ]
        for membership in case.household.current_memberships:
            person = membership.person
            quasi = published.published.get((case.pk, person.pk))
            if quasi is None:
                continue  # in a group of fewer than k persons
            measurements = [
                {"period": period(m.date, level), "type": m.type, "instrumentVersion": m.version.code,
                 "scores": {s.domain.code: (s.score if s.score is not None else s.not_scored_reason)
                            for s in m.scores.all()},
                 "problemDomains": m.problem_domain_count, "householdCategory": m.household_category or None}
                for m in case.final_measurements if m.person_id == person.pk
            ]
            own = pseudonym(key, "person", person.pk)
            rows.append({
                "personPseudonym": own,
                "householdPseudonym": pseudonym(key, "household", case.household_id),
                "casePseudonym": pseudonym(key, "case", case.pk),
                **quasi,
                "meldingSource": case.melding_source.code,
                "firstContactPeriod": period(case.first_contact_date, level),
                "closedPeriod": period(case.closed_on, level),
                "closureReason": case.closure_reason.code if case.closure_reason_id else None,
                "reopening": case.reopened_from_id is not None,
                "measurements": measurements,
                "interventions": [i for i in interventions if i["personPseudonym"] in (None, own)],
            })
    return rows
