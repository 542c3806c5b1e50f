"""Retention (issue 8): WIJKREGIE_RETENTION_YEARS after a household's last case closed, its persons are
anonymised and its free text deleted; the numbers stay.

What changes, per due household (no open case, last case closed on or before the cut-off, not yet done):
- persons who belong to no other live household: names replaced, BSN cleared, date of birth truncated to
  1 January of its year; their household memberships stay (household composition and type still count);
- the household's address: street and addition cleared, postcode cut to its four digits (wijk level);
- free text: case timeline descriptions, director-change reasons, bemoeizorg reasons, plan texts
  (own responsibility, evaluation), goal and agreement descriptions and names, reasons without a goal,
  network analysis reasons, network members (name, relation, contribution), family-approach reasons, safety
  override reasons, escalation notes, intervention providers, consent descriptions, break-the-glass
  reasons. Text that names a listed item (a goal, an agreement, a network member) or that a database
  constraint requires becomes "[verwijderd]"; other text becomes empty.
What stays: cases (dates, status, codes), ZRM measurements and scores (immutable once vastgesteld),
interventions and escalations (codes, dates), consents (purpose, dates), break-the-glass records (who, when,
which case: accountability) and the audit log (append-only; it holds codes and references, never free text).

Idempotent: a household is marked `anonymised_on` in the same transaction as its changes, and marked
households are never selected again. Each batch writes one audit row (record_call) with counts only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Substr, TruncYear
from django.utils import timezone

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from .models import (
    Agreement,
    BreakGlassAccess,
    Case,
    CaseEvent,
    CaseStatus,
    Consent,
    ConsentPurpose,
    DirectorAssignment,
    Escalation,
    FamilyApproach,
    Goal,
    Household,
    HouseholdMembership,
    Intervention,
    LowDomainReason,
    NetworkAssessment,
    NetworkMember,
    NoGoalReason,
    Person,
    Plan,
    SafetyOverride,
)
from .signals import retention_applied

REMOVED = "[verwijderd]"
ANONYMISED_FIRST_NAME = "Geanonimiseerd"
ANONYMISED_LAST_NAME = "persoon"
PURPOSE_RETENTION = AuditPurpose.RETENTION.value
SYSTEM_ACTOR = Actor(user=None, client="systeem:bewaartermijn")
BATCH_SIZE = 500


@dataclass
class RetentionReport:
    cutoff: dt.date
    households: int = 0
    persons: int = 0
    cases: int = 0
    dry_run: bool = False


def cutoff_date(today: dt.date, years: int) -> dt.date:
    """The last closing date that is due on `today` (29 February falls back to 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def due_households(today: dt.date, years: int | None = None):
    """Households not yet anonymised, with no open case, whose last case closed on or before the cut-off."""
    years = settings.WIJKREGIE["RETENTION_YEARS"] if years is None else years
    open_case = Case.objects.filter(household=OuterRef("pk")).exclude(status=CaseStatus.CLOSED)
    return (
        Household.objects.filter(anonymised_on__isnull=True)
        .annotate(last_closed=Max("cases__closed_on"))
        .filter(last_closed__isnull=False, last_closed__lte=cutoff_date(today, years))
        .exclude(Exists(open_case))
        .order_by("pk")
    )


def persons_to_anonymise(household_ids):
    """Members (past or present) of these households who belong to no other household still holding data."""
    elsewhere = HouseholdMembership.objects.filter(person=OuterRef("pk"), household__anonymised_on__isnull=True) \
        .exclude(household_id__in=household_ids)
    return Person.objects.filter(
        pk__in=HouseholdMembership.objects.filter(household_id__in=household_ids).values("person_id")
    ).exclude(Exists(elsewhere))


def apply_retention(*, today: dt.date | None = None, years: int | None = None, dry_run: bool = False,
                    actor: Actor = SYSTEM_ACTOR, batch_size: int = BATCH_SIZE) -> RetentionReport:
    """Anonymise every due household (see the module docstring); with `dry_run`, only count.

    Works in batches, each in one transaction with its own audit row, so an interrupted run leaves whole
    households done or untouched and the next run carries on.
    """
    today = today or timezone.localdate()
    years = settings.WIJKREGIE["RETENTION_YEARS"] if years is None else years
    report = RetentionReport(cutoff=cutoff_date(today, years), dry_run=dry_run)
    due = due_households(today, years)
    if dry_run:
        due_ids = due.values("pk")
        report.households = due.count()
        report.persons = persons_to_anonymise(due_ids).count()
        report.cases = Case.objects.filter(household_id__in=due_ids).count()
        return report
    while True:
        with transaction.atomic():
            batch = list(due.values_list("pk", flat=True)[:batch_size])
            if not batch:
                break
            households, persons, cases = _anonymise(batch, today)
            if households:
                audit.record_call(actor, AuditAction.DELETE, "bewaartermijn",
                                  f"huishoudens={households} personen={persons} casussen={cases}",
                                  purpose=PURPOSE_RETENTION)
        report.households += households
        report.persons += persons
        report.cases += cases
    retention_applied.send(sender=Household, cutoff=report.cutoff)
    return report


def _anonymise(household_ids: list[int], today: dt.date) -> tuple[int, int, int]:
    # Lock the batch so a concurrent run (or a new melding) cannot interleave; re-check under the lock.
    locked = list(Household.objects.select_for_update().filter(pk__in=household_ids, anonymised_on__isnull=True)
                  .values_list("pk", flat=True))
    open_now = set(Case.objects.filter(household_id__in=locked).exclude(status=CaseStatus.CLOSED)
                   .values_list("household_id", flat=True))
    ids = [pk for pk in locked if pk not in open_now]
    if not ids:
        return 0, 0, 0
    case_ids = list(Case.objects.filter(household_id__in=ids).values_list("pk", flat=True))
    persons = persons_to_anonymise(ids)
    person_count = persons.update(
        bsn=None, bsn_hash=None, first_name=ANONYMISED_FIRST_NAME, name_prefix="", last_name=ANONYMISED_LAST_NAME,
        date_of_birth=TruncYear("date_of_birth"),
    )
    Household.objects.filter(pk__in=ids).update(
        street="", house_number_addition="", postcode=Substr("postcode", 1, 4), anonymised_on=today,
    )
    NetworkMember.objects.filter(household_id__in=ids).update(name=REMOVED, relation="", agreed_contribution="")
    Consent.objects.filter(household_id__in=ids, purpose=ConsentPurpose.OTHER).update(description=REMOVED)
    Consent.objects.filter(household_id__in=ids).exclude(purpose=ConsentPurpose.OTHER).update(description="")
    Case.objects.filter(pk__in=case_ids).update(bemoeizorg_reason="")
    CaseEvent.objects.filter(case_id__in=case_ids).update(description="")
    DirectorAssignment.objects.filter(case_id__in=case_ids).update(reason="")
    Plan.objects.filter(case_id__in=case_ids).update(own_responsibility="", evaluation="")
    Goal.objects.filter(plan__case_id__in=case_ids).update(description=REMOVED, actor_name="")
    Agreement.objects.filter(plan__case_id__in=case_ids).update(description=REMOVED, actor_name="")
    LowDomainReason.objects.filter(plan__case_id__in=case_ids, reason=NoGoalReason.OTHER).update(explanation=REMOVED)
    LowDomainReason.objects.filter(plan__case_id__in=case_ids).exclude(reason=NoGoalReason.OTHER) \
        .update(explanation="")
    NetworkAssessment.objects.filter(plan__case_id__in=case_ids).update(reason_not_used="")
    FamilyApproach.objects.filter(case_id__in=case_ids).filter(~Q(reason_not_spoken="")) \
        .update(reason_not_spoken=Value(REMOVED))
    SafetyOverride.objects.filter(case_id__in=case_ids).update(reason=REMOVED)
    Escalation.objects.filter(case_id__in=case_ids).update(note="")
    Intervention.objects.filter(case_id__in=case_ids).update(provider="")
    BreakGlassAccess.objects.filter(case_id__in=case_ids).update(reason=REMOVED)
    return len(ids), person_count, len(case_ids)
